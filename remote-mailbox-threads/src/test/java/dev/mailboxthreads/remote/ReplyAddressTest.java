package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.addressOf;
import static dev.mailboxthreads.MailboxThreads.call;
import static dev.mailboxthreads.MailboxThreads.lateReplyCount;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.self;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static dev.mailboxthreads.remote.BadInputTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.Request;
import dev.mailboxthreads.remote.BadInputTest.RawPush;
import dev.mailboxthreads.remote.internal.Envelope;
import dev.mailboxthreads.remote.internal.Frames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Addresses inside messages and request/reply through publications, in one process: the local
 * short-cut, shared connections for decoded addresses, advertised endpoints, the call envelope
 * on the wire as a foreign peer sees and writes it, and late replies. The two-process cases are
 * in {@code process.CallProcessTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplyAddressTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** A message that carries an address. */
  record Hello(Address from, String text) {}

  static final JavaCodec CODEC = JavaCodec.builder().allow(Hello.class).build();
  static final PublishOptions PUBLISH = PublishOptions.defaults().withCodec(CODEC);
  static final ConnectOptions CONNECT = ConnectOptions.defaults().withCodec(CODEC);

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** A server thread that answers each request with "echo: " + body, until "stop". */
  private static Thread echoServer() {
    return start("echo-server", () -> {
      while (true) {
        Request r = receive(Request.class);
        if (r.body().equals("stop")) {
          return;
        }
        r.reply("echo: " + r.body());
      }
    });
  }

  @Test
  void call_publishedServer_replyComesBackToTheCaller() throws Exception {
    Thread server = echoServer();
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(server, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      CompletableFuture<Object> answer = new CompletableFuture<>();
      start(() -> {
        try {
          answer.complete(call(remote, "hi", WAIT));
        } catch (Throwable t) {
          answer.completeExceptionally(t);
        }
      });
      assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("echo: hi");
    } finally {
      send(server, new Request("stop", self(), 0));
    }
    assertThat(server.join(WAIT)).isTrue();
  }

  @Test
  void send_addressOfPublishedThread_decodesToThatThreadsLocalMailbox() {
    Thread me = Thread.currentThread();
    CompletableFuture<Hello> got = new CompletableFuture<>();
    Thread server = start(() -> got.complete(receive(Hello.class, WAIT)));
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication mine = ctx.publish(me, PUBLISH, "tcp://127.0.0.1:*");
      Publication theirs = ctx.publish(server, PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, theirs.endpoints().get(0));

      send(remote, new Hello(self(), "hello"));
      Hello hello = got.join();

      assertThat(hello.text()).isEqualTo("hello");
      assertThat(hello.from()).as("short-cut to the local mailbox").isEqualTo(addressOf(me));
      assertThat(MailboxThreads.threadOf(hello.from())).contains(me);
      assertThat(mine.address()).isEqualTo(mine.endpoints());
      assertThat(ctx.sharedConnectionCount()).isZero();
    }
  }

  @Test
  void send_addressOfUnpublishedThread_failsInSendNamingTheThreadAndWhatToDo() {
    Thread server = start(() -> receive(Duration.ofSeconds(5), null));
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication theirs = ctx.publish(server, PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, theirs.endpoints().get(0));

      assertThatThrownBy(() -> send(remote, new Hello(self(), "hello")))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining(Thread.currentThread().toString())
          .hasMessageContaining("is not published")
          .hasMessageContaining("publish(thread");
      assertThat(remote.stats().queued() + remote.stats().sent()).as("nothing sent").isZero();
    }
  }

  @Test
  void call_noThreadOfThisProcessPublished_failsClearlyAndNothingIsSent() {
    try (RawPull peer = new RawPull(); RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(peer.endpoint());
      long pendingBefore = dev.mailboxthreads.internal.Calls.pending();
      assertThatThrownBy(() -> call(remote, "q", WAIT))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("needs a way back for the reply")
          .hasMessageContaining("publish(Thread.currentThread()");
      assertThat(remote.stats().sent() + remote.stats().queued()).isZero();
      assertThat(dev.mailboxthreads.internal.Calls.pending()).isEqualTo(pendingBefore);
    }
  }

  /**
   * A foreign peer's view: the request arrives with the call envelope in the metadata, whose
   * reply endpoints are the advertised ones; the peer answers with a reply frame it builds
   * byte by byte, and the call returns the answer.
   */
  @Test
  void call_foreignPeerAnswersWithARawReplyFrame_advertisedEndpointsInTheEnvelope()
      throws Exception {
    try (RawPull peer = new RawPull(); RemoteContext ctx = RemoteContext.create()) {
      Publication mine = ctx.publish(Thread.currentThread(),
          PublishOptions.defaults().withAdvertisedEndpoints("tcp://host.example:5555"),
          "tcp://127.0.0.1:*");
      assertThat(mine.address()).containsExactly("tcp://host.example:5555");
      RemoteThread remote = ctx.connect(peer.endpoint());
      CompletableFuture<Object> answer = new CompletableFuture<>();
      Thread caller = start(() -> {
        try {
          answer.complete(call(remote, "what time is it?", WAIT));
        } catch (Throwable t) {
          answer.completeExceptionally(t);
        }
      });

      byte[] request = peer.receive();
      Envelope envelope = Frames.envelope(request);
      assertThat(envelope.request()).isTrue();
      assertThat(envelope.replyTo()).containsExactly("tcp://host.example:5555");
      int offset = Frames.payloadOffset(request);
      assertThat(request[offset]).as("JavaCodec's String tag").isEqualTo((byte) 1);
      assertThat(new String(request, offset + 1, request.length - offset - 1,
          StandardCharsets.UTF_8)).isEqualTo("what time is it?");

      try (RawPush push = new RawPush(mine.endpoints().get(0))) {
        push.send(List.of(rawReply(envelope.correlationId(), "noon")));
        assertThat(answer.get(20, TimeUnit.SECONDS)).isEqualTo("noon");
      }
      assertThat(caller.join(WAIT)).isTrue();
      eventually().until(() -> mine.stats().delivered() == 1); // counted after the hand-over
    }
  }

  /** A reply frame as docs/wire-format.md describes it, JavaCodec String payload. */
  static byte[] rawReply(long correlationId, String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    byte[] f = new byte[5 + 4 + 9 + 1 + utf8.length];
    f[0] = 0x6D;
    f[1] = 0x62;
    f[2] = 1;
    f[3] = 1; // JavaCodec
    f[4] = 1; // metadata
    f[8] = 9; // metadata length
    f[9] = 2; // kind: reply
    for (int i = 0; i < 8; i++) {
      f[10 + i] = (byte) (correlationId >>> (56 - 8 * i));
    }
    f[18] = 1; // JavaCodec tag: String
    System.arraycopy(utf8, 0, f, 19, utf8.length);
    return f;
  }

  @Test
  void replyFrame_noCallWaits_droppedAsLateReplyAndCounted() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication mine = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      long lateBefore = lateReplyCount();
      try (RawPush push = new RawPush(mine.endpoints().get(0))) {
        push.send(List.of(rawReply(12345, "nobody asked")));
        push.send(List.of(TestCodecs.frame(1, "\u0001after")));

        assertThat(receive(WAIT)).isEqualTo("after");
        eventually().until(() -> mine.stats().dropped(DropReason.LATE_REPLY) == 1);
        assertThat(lateReplyCount()).isEqualTo(lateBefore + 1);
        assertThat(MailboxThreads.mailboxSize()).isZero();
      }
    }
  }

  /**
   * Addresses of threads that are not in this process decode to shared connections: one per
   * endpoint list however many messages carry it, closed when idle, opened again by a send.
   */
  @Test
  void decodedRemoteAddress_oneSharedConnection_closedWhenIdle_reopenedBySend()
      throws Exception {
    List<Address> decoded = new ArrayList<>();
    try (RawPull peer = new RawPull();
        RemoteContext ctx = RemoteContext.create(Duration.ofSeconds(2))) {
      Publication mine = ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread toMe = ctx.connect(CONNECT, mine.endpoints().get(0));
      RemoteThread toPeer = ctx.connect(CONNECT, peer.endpoint());
      for (int i = 0; i < 3; i++) {
        send(toMe, new Hello(toPeer, "hello " + i));
      }
      for (int i = 0; i < 3; i++) {
        Hello hello = receive(Hello.class, WAIT);
        assertThat(hello.from()).isInstanceOf(RemoteThread.class).isNotSameAs(toPeer);
        assertThat(((RemoteThread) hello.from()).endpoints()).isEqualTo(toPeer.endpoints());
        decoded.add(hello.from());
        send(hello.from(), "answer " + i);
      }
      assertThat(ctx.sharedConnectionCount()).as("one for three decoded addresses").isEqualTo(1);
      for (int i = 0; i < 3; i++) {
        assertThat(peer.receiveString()).isEqualTo("answer " + i);
      }
      assertThat(decoded).allMatch(a -> a.equals(decoded.get(0)));

      eventually().until(() -> ctx.sharedConnectionCount() == 0);

      send(decoded.get(2), "after the idle close");
      assertThat(ctx.sharedConnectionCount()).isEqualTo(1);
      assertThat(peer.receiveString()).isEqualTo("after the idle close");
      ((RemoteThread) decoded.get(0)).close(); // a no-op on a shared handle
      send(decoded.get(0), "still usable");
      assertThat(peer.receiveString()).isEqualTo("still usable");
    }
    assertThatThrownBy(() -> send(decoded.get(0), "after the context closed"))
        .isInstanceOf(RemoteMailboxException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void advertisedEndpoints_wildcardHostOrMalformed_refusedNamingTheEndpoint() {
    assertThatThrownBy(() -> PublishOptions.defaults().withAdvertisedEndpoints("tcp://*:5555"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcp://*:5555");
    assertThatThrownBy(() -> PublishOptions.defaults().withAdvertisedEndpoints("tcp://*:*"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not advertised");
    assertThatThrownBy(() -> PublishOptions.defaults().withAdvertisedEndpoints("ipc://"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ipc://");
  }

  /**
   * Binding all interfaces on a port chosen by the system and advertising a reachable host with
   * a wildcard port: the address carries that host and the port chosen, and a peer reaches the
   * publication through it.
   */
  @Test
  void advertisedWildcardPort_takesThePortBound_andIsReachable() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication mine = ctx.publish(Thread.currentThread(),
          PublishOptions.defaults().withAdvertisedEndpoints("tcp://127.0.0.1:*"),
          "tcp://0.0.0.0:*");
      String bound = mine.endpoints().get(0);
      String port = bound.substring(bound.lastIndexOf(':') + 1);
      assertThat(bound).startsWith("tcp://0.0.0.0:");
      assertThat(mine.address()).containsExactly("tcp://127.0.0.1:" + port);

      try (RemoteThread back = ctx.connect(mine.address().get(0))) {
        send(back, "through the advertised endpoint");
        assertThat(receive(WAIT)).isEqualTo("through the advertised endpoint");
      }
    }
  }

  @Test
  void advertisedWildcardPorts_moreThanBoundTcpEndpoints_publishFailsAndUnbinds() {
    try (RemoteContext ctx = RemoteContext.create()) {
      PublishOptions two = PublishOptions.defaults()
          .withAdvertisedEndpoints("tcp://a.example:*", "tcp://b.example:*");
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), two, "tcp://127.0.0.1:*"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tcp://b.example:*")
          .hasMessageContaining("only 1 tcp endpoint(s) are bound");
      Publication ok = ctx.publish(Thread.currentThread(), two, "tcp://127.0.0.1:*",
          "tcp://127.0.0.1:*");
      assertThat(ok.address()).hasSize(2)
          .allMatch(a -> a.matches("tcp://[ab]\\.example:\\d+"));
    }
  }

  @Test
  void addresses_endpointsOfRemoteThreadAndForeignAddress() {
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect("tcp://127.0.0.1:9");
      assertThat(Addresses.endpointsOf(remote)).containsExactly("tcp://127.0.0.1:9");
      Address foreign = m -> { };
      assertThatThrownBy(() -> Addresses.endpointsOf(foreign))
          .isInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("another Address implementation");
      assertThatThrownBy(() -> Addresses.fromEndpoints(List.of("udp://x:1")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("udp");
      remote.close();
    }
  }

  /** A raw JeroMQ PULL socket bound on a free loopback port: a foreign peer that receives. */
  static final class RawPull implements AutoCloseable {
    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket socket = context.socket(SocketType.PULL);
    private final String endpoint;

    RawPull() {
      socket.setLinger(0);
      socket.setReceiveTimeOut((int) WAIT.toMillis());
      socket.bind("tcp://127.0.0.1:*");
      endpoint = socket.getLastEndpoint();
    }

    String endpoint() {
      return endpoint;
    }

    /** Frames of a batch received, not yet returned. */
    private final java.util.ArrayDeque<byte[]> unpacked = new java.util.ArrayDeque<>();

    /**
     * The next frame, unpacked from a batch if need be (a JavaCodec connection batches, see
     * docs/wire-format.md); fails after {@link #WAIT}.
     */
    byte[] receive() {
      if (!unpacked.isEmpty()) {
        return unpacked.poll();
      }
      byte[] frame = socket.recv(0);
      if (frame == null) {
        throw new AssertionError("no frame within " + WAIT + " on " + endpoint);
      }
      if (!Frames.isBatch(frame)) {
        return frame;
      }
      int p = Frames.HEADER_BYTES;
      while (p < frame.length) {
        int len = ((frame[p] & 0xFF) << 24) | ((frame[p + 1] & 0xFF) << 16)
            | ((frame[p + 2] & 0xFF) << 8) | (frame[p + 3] & 0xFF);
        unpacked.add(java.util.Arrays.copyOfRange(frame, p + 4, p + 4 + len));
        p += 4 + len;
      }
      return unpacked.poll();
    }

    /** The next frame's JavaCodec String payload. */
    String receiveString() {
      byte[] f = receive();
      int offset = Frames.payloadOffset(f);
      assertThat(f[offset]).isEqualTo((byte) 1);
      return new String(f, offset + 1, f.length - offset - 1, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      socket.close();
      context.term();
    }
  }
}
