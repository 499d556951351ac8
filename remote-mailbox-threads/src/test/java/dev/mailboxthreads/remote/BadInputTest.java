package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.TestCodecs.MARKING_ID;
import static dev.mailboxthreads.remote.TestCodecs.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Bad input never stops a publication: each kind of bad frame is dropped and counted by its
 * {@link DropReason}, and the next good message is delivered. Bad frames are sent with a raw
 * JeroMQ PUSH socket or a raw TCP socket, as a foreign or hostile peer would.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadInputTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final int MAX_MESSAGE_BYTES = 1024;
  static final PublishOptions OPTIONS = PublishOptions.defaults()
      .withCodec(TestCodecs.marking())
      .withMaxMessageBytes(MAX_MESSAGE_BYTES);

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** One kind of bad input: the frames of one ZeroMQ message, and how it must be counted. */
  record BadMessage(String name, List<byte[]> parts, DropReason reason) {
    static BadMessage of(String name, DropReason reason, byte[]... parts) {
      return new BadMessage(name, List.of(parts), reason);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BadMessage> badMessages() {
    byte[] random = new byte[64];
    new Random(42).nextBytes(random);
    random[0] = 0; // not 'm', so it is malformed whatever the rest says
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        BadMessage.of("random bytes", DropReason.MALFORMED_FRAME, random),
        BadMessage.of("empty frame", DropReason.MALFORMED_FRAME, new byte[0]),
        BadMessage.of("shorter than the header", DropReason.MALFORMED_FRAME,
            new byte[] {0x6D, 0x62, 1, (byte) MARKING_ID}),
        BadMessage.of("wrong first magic byte", DropReason.MALFORMED_FRAME,
            frame('x', 0x62, 1, MARKING_ID, 0, hello)),
        BadMessage.of("wrong second magic byte", DropReason.MALFORMED_FRAME,
            frame(0x6D, 'x', 1, MARKING_ID, 0, hello)),
        BadMessage.of("version 0", DropReason.MALFORMED_FRAME,
            frame(0x6D, 0x62, 0, MARKING_ID, 0, hello)),
        BadMessage.of("version 2", DropReason.MALFORMED_FRAME,
            frame(0x6D, 0x62, 2, MARKING_ID, 0, hello)),
        BadMessage.of("reserved flag bit 1", DropReason.MALFORMED_FRAME,
            frame(0x6D, 0x62, 1, MARKING_ID, 0x02, hello)),
        BadMessage.of("reserved flag bit 7", DropReason.MALFORMED_FRAME,
            frame(0x6D, 0x62, 1, MARKING_ID, 0x80, hello)),
        BadMessage.of("metadata flag without a length", DropReason.MALFORMED_FRAME,
            frame(0x6D, 0x62, 1, MARKING_ID, 0x01, new byte[] {0, 0})),
        BadMessage.of("metadata longer than the frame", DropReason.MALFORMED_FRAME,
            TestCodecs.frameWithMetadata(MARKING_ID, 10, new byte[3], "x")),
        BadMessage.of("metadata length 2^32-1", DropReason.MALFORMED_FRAME,
            TestCodecs.frameWithMetadata(MARKING_ID, 0xFFFF_FFFFL, new byte[3], "x")),
        BadMessage.of("unknown codec id 77", DropReason.UNKNOWN_CODEC,
            frame(77, "hello")),
        BadMessage.of("codec id of the default codec", DropReason.UNKNOWN_CODEC,
            frame(JavaCodec.defaults().id(), "hello")),
        BadMessage.of("payload that does not decode", DropReason.UNDECODABLE,
            frame(MARKING_ID, TestCodecs.UNDECODABLE)),
        BadMessage.of("payload naming a forbidden class", DropReason.FORBIDDEN_CLASS,
            frame(MARKING_ID, TestCodecs.FORBIDDEN)),
        BadMessage.of("codec decodes null", DropReason.UNDECODABLE,
            frame(MARKING_ID, TestCodecs.DECODES_TO_NULL)),
        BadMessage.of("codec throws a RuntimeException", DropReason.UNDECODABLE,
            frame(MARKING_ID, TestCodecs.DECODE_CRASH)),
        BadMessage.of("codec overflows its stack", DropReason.UNDECODABLE,
            frame(MARKING_ID, TestCodecs.STACK_OVERFLOW)),
        BadMessage.of("one byte over maxMessageBytes", DropReason.TOO_LARGE,
            frame(MARKING_ID, "a".repeat(MAX_MESSAGE_BYTES - 5 + 1))),
        BadMessage.of("far over maxMessageBytes, no header", DropReason.TOO_LARGE,
            new byte[1 << 20]),
        BadMessage.of("two frames", DropReason.MALFORMED_FRAME,
            frame(MARKING_ID, "part 1"), frame(MARKING_ID, "part 2")),
        BadMessage.of("three frames, one empty", DropReason.MALFORMED_FRAME,
            frame(MARKING_ID, "part 1"), new byte[0], frame(MARKING_ID, "part 3")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMessages")
  void badMessage_droppedAndCountedByReason_nextGoodOneDelivered(BadMessage bad) {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
      try (RawPush push = new RawPush(pub.endpoints().get(0))) {
        push.send(bad.parts());
        push.send(List.of(frame(MARKING_ID, "good")));

        // one connection keeps order: the bad message was handled before the good one
        assertThat(receive(WAIT)).isEqualTo("good");
        eventually().untilAsserted(() -> {
          PublicationStats stats = pub.stats();
          assertThat(stats.dropped(bad.reason())).as("dropped as " + bad.reason()).isEqualTo(1);
          assertThat(stats.droppedTotal()).isEqualTo(1);
          assertThat(stats.delivered()).isEqualTo(1);
          assertThat(stats.received()).isEqualTo(2);
        });
      }
    }
  }

  @Test
  void allBadMessagesInARow_eachCounted_receivedIsDeliveredPlusDropped() {
    List<BadMessage> all = badMessages().toList();
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
      try (RawPush push = new RawPush(pub.endpoints().get(0))) {
        for (BadMessage bad : all) {
          push.send(bad.parts());
          push.send(List.of(frame(MARKING_ID, "good after " + bad.name())));
        }

        for (BadMessage bad : all) {
          assertThat(receive(WAIT)).isEqualTo("good after " + bad.name());
        }
        eventually().untilAsserted(() -> {
          PublicationStats stats = pub.stats();
          for (DropReason reason : DropReason.values()) {
            assertThat(stats.dropped(reason)).as(reason.name())
                .isEqualTo(all.stream().filter(b -> b.reason() == reason).count());
          }
          assertThat(stats.delivered()).isEqualTo(all.size());
          assertThat(stats.received()).isEqualTo(2L * all.size())
              .isEqualTo(stats.delivered() + stats.droppedTotal());
        });
      }
    }
  }

  /**
   * The metadata section carries the call envelope (docs/wire-format.md): an empty section is no
   * envelope, and the payload is delivered as a plain message; a section that is not a valid
   * envelope makes the frame malformed.
   */
  @Test
  void frameWithMetadata_emptyDelivered_notAnEnvelopeDroppedAsMalformed() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
      try (RawPush push = new RawPush(pub.endpoints().get(0))) {
        push.send(List.of(TestCodecs.frameWithMetadata(MARKING_ID, 3, new byte[] {1, 2, 3}, "x")));
        push.send(List.of(TestCodecs.frameWithMetadata(MARKING_ID, 0, new byte[0], "y")));

        assertThat(receive(WAIT)).isEqualTo("y");
        eventually().until(() -> pub.stats().delivered() == 1);
        assertThat(pub.stats().dropped(DropReason.MALFORMED_FRAME)).isEqualTo(1);
        assertThat(pub.stats().droppedTotal()).isEqualTo(1);
      }
    }
  }

  @Test
  void frameOfExactlyMaxMessageBytes_isDelivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
      String payload = "b".repeat(MAX_MESSAGE_BYTES - 5);
      try (RawPush push = new RawPush(pub.endpoints().get(0))) {
        push.send(List.of(frame(MARKING_ID, payload)));

        assertThat(receive(WAIT)).isEqualTo(payload);
      }
    }
  }

  /**
   * A codec that hits an {@link OutOfMemoryError} on a crafted payload (a length field that asks
   * for an array larger than the VM allows: the allocation fails, nothing is left behind) must
   * not stop the publication. Today the loop catches only RuntimeException, StackOverflowError
   * and LinkageError around decode; the OutOfMemoryError reaches run(), which logs "stopped by an
   * unexpected failure" and ends the loop: the publication stays "open" but nothing is delivered
   * any more, and nobody is told.
   */
  @Test
  void codecThrowsOutOfMemoryError_droppedAsUndecodable_nextGoodOneDelivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
      try (RawPush push = new RawPush(pub.endpoints().get(0))) {
        push.send(List.of(frame(MARKING_ID, TestCodecs.OUT_OF_MEMORY)));
        push.send(List.of(frame(MARKING_ID, "good")));

        assertThat(receive(Duration.ofSeconds(3), "nothing: the publication stopped"))
            .isEqualTo("good");
        eventually().untilAsserted(() ->
            assertThat(pub.stats().dropped(DropReason.UNDECODABLE)).isEqualTo(1));
      }
    }
  }

  @Test
  void rawTcpGarbage_publicationSurvives_nextMessageDelivered() throws Exception {
    Random random = new Random(7);
    for (int first : new int[] {0x00, 0x01, 0x7F, 0xFF}) {
      byte[] garbage = new byte[4096];
      random.nextBytes(garbage);
      garbage[0] = (byte) first;
      assertSurvives(out -> out.write(garbage), "garbage starting with " + first);
    }
  }

  @Test
  void rawTcpPartialGreeting_thenClose_publicationSurvives() throws Exception {
    // ZMTP 3 greeting: signature FF 00*8 7F, then version 3, then it stops
    byte[] partial = {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3};
    assertSurvives(out -> out.write(partial), "a partial greeting");
  }

  @Test
  void rawTcpPartialGreeting_keptOpen_doesNotBlockOtherSenders() throws Exception {
    byte[] partial = {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0, 'N', 'U'};
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String endpoint = pub.endpoints().get(0);
      try (Socket stuck = new Socket("127.0.0.1", EndpointTest.port(endpoint))) {
        stuck.getOutputStream().write(partial);
        stuck.getOutputStream().flush();

        send(ctx.connect(endpoint), "past the stuck peer");

        assertThat(receive(WAIT)).isEqualTo("past the stuck peer");
      }
    }
  }

  /**
   * One unauthenticated TCP peer must not be able to stop a publication. JeroMQ reserves a
   * frame's whole buffer (direct memory) as soon as it has read the frame's announced size, and
   * the publication's socket sets no ZMQ_MAXMSGSIZE. So about 80 bytes (a ZMTP 3.1 greeting, a
   * READY command, a frame header announcing 2^31-1 bytes) make the context's ZeroMQ I/O thread
   * die of OutOfMemoryError ("Cannot reserve 2147483647 bytes of direct buffer memory"): every
   * publication and connection of that context goes silent, and stays "open".
   *
   * <p>Safe to run: the reservation exceeds the direct-memory limit (the surefire argLine's
   * -Xmx2g; the test is skipped under a larger limit), so it fails without allocating.
   */
  @Test
  void rawTcpPeerAnnouncingAHugeFrame_publicationKeepsWorking() throws Exception {
    long limit = directMemoryLimit();
    assumeTrue(limit <= (1L << 31), "needs a direct-memory limit of at most 2 GiB, not " + limit);
    SoftAssertions softly = new SoftAssertions();
    RemoteContext ctx = RemoteContext.create();
    RemoteContext senders = RemoteContext.create();
    try {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String endpoint = pub.endpoints().get(0);
      try (Socket raw = new Socket("127.0.0.1", EndpointTest.port(endpoint))) {
        raw.getOutputStream().write(zmtpPushAnnouncing(Integer.MAX_VALUE));
        raw.getOutputStream().flush();

        send(senders.connect(ConnectOptions.defaults().withLinger(Duration.ZERO), endpoint),
            "after the huge announcement");

        softly.assertThat(receive(Duration.ofSeconds(5), "nothing: the context's I/O thread died"))
            .isEqualTo("after the huge announcement");
      }
    } finally {
      // with its I/O thread dead, the context's term() waits forever: close it on the side
      softly.assertThat(closesWithin(Duration.ofSeconds(5), senders, ctx))
          .as("the contexts close (term() hangs once a ZeroMQ I/O thread has died)")
          .isTrue();
    }
    softly.assertAll();
  }

  /** Closes the contexts in a daemon thread; false if that did not end in time. */
  private static boolean closesWithin(Duration timeout, RemoteContext... contexts)
      throws InterruptedException {
    Thread closer = Thread.ofPlatform().daemon().name("test-closer").start(() -> {
      for (RemoteContext c : contexts) {
        c.close();
      }
    });
    return closer.join(timeout);
  }

  /**
   * What a PUSH peer sends on connecting (ZMTP 3.1 greeting with the NULL mechanism, READY with
   * Socket-Type PUSH), then the header of a long frame of {@code size} bytes, and 5 bytes of it.
   */
  private static byte[] zmtpPushAnnouncing(long size) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] greeting = new byte[64];
    greeting[0] = (byte) 0xFF;
    greeting[9] = 0x7F;
    greeting[10] = 3; // version 3.1
    greeting[11] = 1;
    System.arraycopy("NULL".getBytes(StandardCharsets.US_ASCII), 0, greeting, 12, 4);
    out.writeBytes(greeting);
    java.io.ByteArrayOutputStream ready = new java.io.ByteArrayOutputStream();
    ready.write(5);
    ready.writeBytes("READY".getBytes(StandardCharsets.US_ASCII));
    ready.write(11);
    ready.writeBytes("Socket-Type".getBytes(StandardCharsets.US_ASCII));
    ready.writeBytes(new byte[] {0, 0, 0, 4});
    ready.writeBytes("PUSH".getBytes(StandardCharsets.US_ASCII));
    out.write(0x04); // command, short size
    out.write(ready.size());
    out.writeBytes(ready.toByteArray());
    out.write(0x02); // message, long size
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.write((int) (size >>> shift));
    }
    out.writeBytes(frame(MARKING_ID, ""));
    return out.toByteArray();
  }

  /** -XX:MaxDirectMemorySize, or the heap limit it defaults to. */
  private static long directMemoryLimit() {
    var hotspot = java.lang.management.ManagementFactory.getPlatformMXBean(
        com.sun.management.HotSpotDiagnosticMXBean.class);
    long configured = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
    return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
  }

  @Test
  void incompatibleZmqSocketTypes_publicationSurvives() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String endpoint = pub.endpoints().get(0);
      ZMQ.Context zmq = ZMQ.context(1);
      try {
        List<ZMQ.Socket> wrong = new ArrayList<>();
        for (SocketType type : new SocketType[] {
            SocketType.DEALER, SocketType.PUB, SocketType.REQ, SocketType.PAIR}) {
          ZMQ.Socket socket = zmq.socket(type);
          socket.setLinger(0);
          socket.connect(endpoint);
          socket.send(frame(JavaCodec.defaults().id(), "from a " + type), ZMQ.DONTWAIT);
          wrong.add(socket);
        }

        // the wrong sockets stay connected (their handshakes are refused) meanwhile
        send(ctx.connect(endpoint), "after the wrong sockets");

        assertThat(receive(m -> m.equals("after the wrong sockets"), WAIT)).isNotNull();
        wrong.forEach(ZMQ.Socket::close);
      } finally {
        zmq.term();
      }
      // counted just after the hand-over, as in the tests above
      eventually().untilAsserted(() -> {
        PublicationStats stats = pub.stats();
        assertThat(stats.received()).isEqualTo(stats.delivered() + stats.droppedTotal());
      });
    }
  }

  interface RawWrite {
    void write(OutputStream out) throws Exception;
  }

  /** Writes with a raw TCP socket, closes it, then checks that a RemoteThread still delivers. */
  private static void assertSurvives(RawWrite writer, String what) throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String endpoint = pub.endpoints().get(0);
      try (Socket raw = new Socket("127.0.0.1", EndpointTest.port(endpoint))) {
        writer.write(raw.getOutputStream());
        raw.getOutputStream().flush();
      }

      send(ctx.connect(endpoint), "after " + what);

      assertThat(receive(WAIT)).as("delivered after " + what).isEqualTo("after " + what);
      eventually().untilAsserted(() -> {
        PublicationStats stats = pub.stats();
        assertThat(stats.received()).isEqualTo(stats.delivered() + stats.droppedTotal());
        assertThat(stats.delivered()).isEqualTo(1);
      });
    }
  }

  static ConditionFactory eventually() {
    return Awaitility.await()
        .atMost(WAIT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5));
  }

  /**
   * A raw JeroMQ PUSH socket in a ZeroMQ context of its own: the foreign peer. Used from one
   * thread only.
   */
  static final class RawPush implements AutoCloseable {
    private final ZMQ.Context context = ZMQ.context(1);
    private final ZMQ.Socket socket;

    RawPush(String endpoint) {
      socket = context.socket(SocketType.PUSH);
      socket.setLinger(1000);
      // the JeroMQ connect race (see docs/remote.md) would otherwise stall a handshake for 30 s
      socket.setHandshakeIvl(500);
      socket.setReconnectIVL(10);
      socket.connect(endpoint);
    }

    /** Sends one ZeroMQ message of {@code parts.size()} frames. */
    void send(List<byte[]> parts) {
      for (int i = 0; i < parts.size(); i++) {
        boolean more = i < parts.size() - 1;
        if (!socket.send(parts.get(i), more ? ZMQ.SNDMORE : 0)) {
          throw new AssertionError("raw PUSH refused a frame: errno " + socket.errno()
              + ", frame " + Arrays.toString(parts.get(i)));
        }
      }
    }

    @Override
    public void close() {
      socket.close();
      context.term();
    }
  }
}
