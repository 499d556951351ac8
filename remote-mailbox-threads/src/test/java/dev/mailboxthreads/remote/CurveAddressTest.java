package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.addressOf;
import static dev.mailboxthreads.MailboxThreads.call;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.self;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static dev.mailboxthreads.remote.BadInputTest.eventually;
import static dev.mailboxthreads.remote.CurveTest.curveClient;
import static dev.mailboxthreads.remote.CurveTest.curvePublication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.CallTimeoutException;
import dev.mailboxthreads.Request;
import dev.mailboxthreads.remote.internal.Endpoints;
import dev.mailboxthreads.remote.internal.Envelope;
import dev.mailboxthreads.remote.internal.Frames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CURVE addresses (docs/remote.md, "Addresses and replies with CURVE"): an address of a CURVE
 * publication carries its public key after its endpoints, and whatever is sent to it, a reply
 * or a message to a decoded address, goes with CURVE only.
 *
 * <p>In one process, a reply address that names an endpoint of a local publication is
 * short-cut to the local mailbox and never crosses a socket. To make the reply cross a socket
 * (through a relay that records the bytes), these tests call a local <i>forwarder</i>, which
 * passes the request on with a reply address made of the relay's endpoint and the caller
 * publication's key, as a process forwarding a request on behalf of another does; the reply
 * then reaches the waiting call by its correlation id. The server's side, which decodes the
 * reply address and connects to it, is exactly that of a call between two processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CurveAddressTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final CurveKeyPair SERVER = CurveKeyPair.generate();
  private static final CurveKeyPair CALLER = CurveKeyPair.generate();
  private static final CurveKeyPair STRANGER = CurveKeyPair.generate();

  /** A message that carries an address. */
  record Hello(Address from, String text) {}

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** Answers each request with "echo: " + body; hands what reply() throws to {@code failure}. */
  private static Thread echoServer(CompletableFuture<Throwable> failure) {
    return start("curve-echo-server", () -> {
      while (true) {
        Request r = receive(Request.class);
        if (r.body().equals("stop")) {
          return;
        }
        try {
          r.reply("echo: " + r.body());
        } catch (RuntimeException e) {
          failure.complete(e);
        }
      }
    });
  }

  /** Passes one request on to {@code server}, with {@code replyTo} as its reply address. */
  private static Thread forwarder(Address server, Address replyTo) {
    return start("curve-forwarder", () -> {
      Request r = receive(Request.class);
      send(server, new Request(r.body(), replyTo, r.correlationId()));
    });
  }

  private static void stop(Thread server) throws InterruptedException {
    send(server, new Request("stop", self(), 0));
    assertThat(server.join(WAIT)).isTrue();
  }

  /**
   * A call from a CURVE-published caller to a CURVE-published server gets its answer, and the
   * reply crosses the relay encrypted: neither the request text nor the answer is in the
   * capture. The plain case is the control: there the answer is in the capture.
   */
  @ParameterizedTest(name = "curve={0}")
  @ValueSource(booleans = {true, false})
  void call_curveCallerAndServer_replyArrivesEncrypted_plainShowsIt(boolean curve)
      throws Exception {
    String secret = "parsnip-4b1d-the-secret-answer";
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread server = echoServer(failure);
    byte[] captured;
    RemoteContext ctx = RemoteContext.create();
    TcpRelay relay = null;
    try {
      // the server allows the caller's key; the caller's publication allows the server's key,
      // which the server's reply connection authenticates with
      Publication serverPub = ctx.publish(server,
          curve ? curvePublication(SERVER, CALLER) : PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      Publication callerPub = ctx.publish(Thread.currentThread(),
          curve ? curvePublication(CALLER, SERVER) : PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      assertThat(callerPub.address()).as("a CURVE publication's address carries its key")
          .isEqualTo(curve
              ? List.of(callerPub.endpoints().get(0), "curve:" + CALLER.publicKey())
              : callerPub.endpoints());
      RemoteThread toServer = ctx.connect(
          curve ? curveClient(CALLER, SERVER) : ConnectOptions.defaults(),
          serverPub.endpoints().get(0));
      relay = new TcpRelay(callerPub.endpoints().get(0));
      List<String> viaRelay = curve
          ? List.of(relay.endpoint(), "curve:" + CALLER.publicKey())
          : List.of(relay.endpoint());
      Address replyTo = ctx.resolve(viaRelay, JavaCodec.defaults(), null);
      assertThat(Addresses.endpointsOf(replyTo)).isEqualTo(viaRelay);
      Thread fwd = forwarder(toServer, replyTo);

      Object answer = call(addressOf(fwd), secret, WAIT);

      assertThat(answer).isEqualTo("echo: " + secret);
      assertThat(fwd.join(WAIT)).isTrue();
      assertThat(failure).isNotDone();
      assertThat(serverPub.stats().refusedClients()).isZero();
      assertThat(callerPub.stats().refusedClients()).isZero();
      assertThat(callerPub.stats().received()).as("the reply came through the socket")
          .isEqualTo(1);
    } finally {
      stop(server);
      ctx.close(); // the shared reply connection ends: the capture is complete
      captured = relay == null ? new byte[0] : relay.captured();
      if (relay != null) {
        relay.close();
      }
    }
    String wire = new String(captured, StandardCharsets.ISO_8859_1); // one char per byte
    System.out.printf("reply through relay, curve=%s: %d bytes forwarded, answer text found:"
        + " %s%n", curve, captured.length, wire.contains(secret));
    assertThat(wire).as("the ZMTP greeting names the mechanism")
        .contains(curve ? "CURVE" : "NULL");
    if (curve) {
      assertThat(wire).doesNotContain(secret).doesNotContain("parsnip").doesNotContain("echo");
      assertThat(wire).doesNotContain(SERVER.secretKey()).doesNotContain(CALLER.secretKey());
    } else {
      assertThat(wire).contains("echo: " + secret);
    }
  }

  /**
   * The caller's publication does not allow the server's key: the reply is refused during the
   * handshake, nothing is delivered, the refusal is counted, and the call times out.
   */
  @Test
  void replierNotAllowedByCallersPublication_nothingDelivered_refusalCounted() throws Exception {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread server = echoServer(failure);
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication serverPub = ctx.publish(server, curvePublication(SERVER, CALLER),
          "tcp://127.0.0.1:*");
      Publication callerPub = ctx.publish(Thread.currentThread(),
          curvePublication(CALLER, STRANGER), "tcp://127.0.0.1:*");
      RemoteThread toServer = ctx.connect(curveClient(CALLER, SERVER),
          serverPub.endpoints().get(0));
      try (TcpRelay relay = new TcpRelay(callerPub.endpoints().get(0))) {
        Address replyTo = ctx.resolve(
            List.of(relay.endpoint(), "curve:" + CALLER.publicKey()), JavaCodec.defaults(), null);
        Thread fwd = forwarder(toServer, replyTo);

        assertThatThrownBy(() -> call(addressOf(fwd), "refused?", Duration.ofSeconds(2)))
            .isInstanceOf(CallTimeoutException.class);

        eventually().until(() -> callerPub.stats().refusedClients() >= 1);
        assertThat(callerPub.stats().received()).as("nothing reached the caller").isZero();
        assertThat(serverPub.stats().delivered()).as("the request was served").isEqualTo(1);
        assertThat(failure).as("reply() only queued it").isNotDone();
        assertThat(fwd.join(WAIT)).isTrue();
        System.out.printf("replier not allowed: caller publication %s%n", callerPub.stats());
      }
      stop(server);
    }
  }

  /**
   * A plain publication receives a request whose reply address is a CURVE publication, and its
   * context has no client key pair: reply() fails, naming what to do, and nothing is sent (the
   * relay sees no connection). With a context-wide key pair the reply goes, with CURVE.
   */
  @ParameterizedTest(name = "contextKeys={0}")
  @ValueSource(booleans = {false, true})
  void plainServer_curveReplyAddress_needsContextKeys_neverInClear(boolean contextKeys)
      throws Exception {
    CurveKeyPair contextPair = CurveKeyPair.generate();
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Thread server = echoServer(failure);
    try (RemoteContext ctx = contextKeys
        ? RemoteContext.create(Duration.ofSeconds(60), contextPair)
        : RemoteContext.create()) {
      Publication serverPub = ctx.publish(server, "tcp://127.0.0.1:*");
      Publication callerPub = ctx.publish(Thread.currentThread(),
          curvePublication(CALLER, contextPair), "tcp://127.0.0.1:*");
      RemoteThread toServer = ctx.connect(serverPub.endpoints().get(0));
      try (TcpRelay relay = new TcpRelay(callerPub.endpoints().get(0))) {
        Address replyTo = ctx.resolve(
            List.of(relay.endpoint(), "curve:" + CALLER.publicKey()), JavaCodec.defaults(), null);
        Thread fwd = forwarder(toServer, replyTo);

        if (contextKeys) {
          assertThat(call(addressOf(fwd), "with keys", WAIT)).isEqualTo("echo: with keys");
          assertThat(failure).isNotDone();
        } else {
          assertThatThrownBy(() -> call(addressOf(fwd), "no keys", Duration.ofSeconds(2)))
              .isInstanceOf(CallTimeoutException.class);
          assertThat(failure.get(10, TimeUnit.SECONDS))
              .isInstanceOf(RemoteMailboxException.class)
              .hasMessageContaining("CURVE")
              .hasMessageContaining("in clear")
              .hasMessageContaining("RemoteContext.create(idleTimeout, clientKeys)");
          assertThat(relay.captured()).as("no connection was even attempted").isEmpty();
          assertThat(callerPub.stats().received()).isZero();
          assertThat(callerPub.stats().failedHandshakes()).isZero();
        }
        assertThat(fwd.join(WAIT)).isTrue();
      }
      stop(server);
    }
  }

  /**
   * An address with a key inside a message round-trips through both codecs: sent to a
   * publication of this thread, it decodes to a shared handle that travels as the same strings.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"java", "msgpack"})
  void addressWithKey_roundTripsThroughCodec(String codecName) {
    Codec codec = codecName.equals("java")
        ? JavaCodec.builder().allow(Hello.class).build()
        : MsgpackCodec.defaults();
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          PublishOptions.defaults().withCodec(codec), "tcp://127.0.0.1:*");
      List<String> strings = List.of("tcp://127.0.0.1:1", "ipc:///tmp/x.sock",
          "curve:" + SERVER.publicKey());
      Address keyed = ctx.resolve(strings, codec, null);
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withCodec(codec),
          pub.endpoints().get(0));
      if (codecName.equals("java")) {
        send(remote, new Hello(keyed, "hi"));
      } else {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", keyed);
        m.put("text", "hi");
        send(remote, m);
      }

      Object got = receive(WAIT);

      Address from = got instanceof Hello h ? h.from() : (Address) ((Map<?, ?>) got).get("from");
      assertThat(from).isInstanceOf(RemoteThread.class).isEqualTo(keyed);
      assertThat(Addresses.endpointsOf(from)).isEqualTo(strings);
      assertThat(((RemoteThread) from).endpoints()).as("endpoints() has no key entry")
          .containsExactly("tcp://127.0.0.1:1", "ipc:///tmp/x.sock");
      remote.close();
    }
  }

  /** The call envelope carries the key entry as one more reply endpoint string. */
  @Test
  void envelope_withKeyEntry_roundTrips() {
    List<String> replyTo = List.of("tcp://127.0.0.1:5555", "curve:" + CALLER.publicKey());
    byte[] metadata = Frames.requestMetadata(42, replyTo);
    byte[] frame = new byte[Frames.headroom(metadata) + 1];
    Frames.writeHeader(frame, 1, metadata);

    Envelope envelope = Frames.envelope(frame);

    assertThat(envelope.request()).isTrue();
    assertThat(envelope.correlationId()).isEqualTo(42);
    assertThat(envelope.replyTo()).isEqualTo(replyTo);
  }

  /** The public key of the libzmq man page's test pair, used by docs/wire-format.md. */
  private static final String DOC_KEY = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";

  /** The hex block after {@code <!-- CurveAddressTest: NAME -->} in docs/wire-format.md. */
  private static byte[] docBytes(String name) throws Exception {
    String doc = Files.readString(Path.of("../docs/wire-format.md"));
    String marker = "<!-- CurveAddressTest: " + name + " -->\n```\n";
    int start = doc.indexOf(marker);
    assertThat(start).as("marker %s in docs/wire-format.md", name).isNotNegative();
    start += marker.length();
    String hex = doc.substring(start, doc.indexOf("```", start)).replaceAll("\\s+", "");
    return HexFormat.of().parseHex(hex);
  }

  /** The documented envelope with a CURVE reply address is what Java writes and reads. */
  @Test
  void wireFormatDoc_envelopeWithKeyEntry_isWhatJavaWrites() throws Exception {
    List<String> replyTo = List.of("tcp://h:1", "curve:" + DOC_KEY);
    byte[] metadata = Frames.requestMetadata(0x0102030405060708L, replyTo);
    byte[] frame = new byte[Frames.headroom(metadata) + 1];
    Frames.writeHeader(frame, 1, metadata); // codec 1: JavaCodec
    frame[frame.length - 1] = (byte) 0xaa;

    assertThat(HexFormat.ofDelimiter(" ").formatHex(frame))
        .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(docBytes("envelope")));
    assertThat(Frames.envelope(docBytes("envelope")).replyTo()).isEqualTo(replyTo);
  }

  /** The documented extension type 1 with a key entry is what MsgpackCodec writes. */
  @Test
  void wireFormatDoc_ext1WithKeyEntry_isWhatMsgpackCodecWrites() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      Address keyed = ctx.resolve(List.of("tcp://127.0.0.1:5555", "curve:" + DOC_KEY),
          MsgpackCodec.defaults(), null);

      byte[] encoded = MsgpackCodec.defaults().encode(keyed, 0);

      assertThat(HexFormat.ofDelimiter(" ").formatHex(encoded))
          .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(docBytes("ext1")));
    }
  }

  /** A key entry that is malformed, not last, alone, or with inproc, is refused by name. */
  @Test
  void malformedKeyEntries_refusedNamingTheProblem() {
    String key = "curve:" + SERVER.publicKey();
    List<List<String>> bad = List.of(
        List.of(key),
        List.of(key, "tcp://127.0.0.1:5555"),
        List.of("tcp://127.0.0.1:5555", key, key),
        List.of("tcp://127.0.0.1:5555", "curve:tooShort"),
        List.of("tcp://127.0.0.1:5555", "curve:" + SERVER.publicKey().replace(
            SERVER.publicKey().charAt(0), '~')),
        List.of("inproc://x", key));
    List<String> messages = new ArrayList<>();
    for (List<String> entries : bad) {
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(
          () -> Addresses.fromEndpoints(entries));
      assertThat(t).as("%s", entries).isInstanceOf(IllegalArgumentException.class);
      messages.add(t.getMessage());
    }
    assertThat(messages.get(0)).contains("no endpoint");
    assertThat(messages.get(1)).contains("only come once, after all the endpoints");
    assertThat(messages.get(2)).contains("only come once, after all the endpoints");
    assertThat(messages.get(3)).contains("CURVE server key", "has 8 characters");
    assertThat(messages.get(4)).contains("not Z85");
    assertThat(messages.get(5)).contains("inproc");
    assertThat(Endpoints.checkAddress(new String[] {"TCP://127.0.0.1:1", key}))
        .containsExactly("tcp://127.0.0.1:1", key);
  }
}
