package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CURVE on publications and connections: who is let in, what is delivered, what a relay in the
 * middle sees, and what a mismatched configuration does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CurveTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** How long "nothing arrives" is watched; refused clients retry every 100 ms at first. */
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final Object NONE = new Object();

  private static final CurveKeyPair SERVER = CurveKeyPair.generate();
  private static final CurveKeyPair CLIENT = CurveKeyPair.generate();
  private static final CurveKeyPair STRANGER = CurveKeyPair.generate();

  @TempDir Path dir;

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  static PublishOptions curvePublication(CurveKeyPair server, CurveKeyPair... allowed) {
    return PublishOptions.defaults().withCurve(CurveServer.allowing(server,
        java.util.Arrays.stream(allowed).map(CurveKeyPair::publicKey).toList()));
  }

  /** With a short linger: a refused connection gives up its queue quickly at close. */
  static ConnectOptions curveClient(CurveKeyPair client, CurveKeyPair server) {
    return ConnectOptions.defaults().withLinger(Duration.ofMillis(300))
        .withCurve(new CurveClient(client, server.publicKey()));
  }

  @Test
  void listedClient_sends_delivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curvePublication(SERVER, CLIENT),
          "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(curveClient(CLIENT, SERVER), pub.endpoints().get(0));

      for (int i = 0; i < 100; i++) {
        send(remote, "m" + i);
      }

      for (int i = 0; i < 100; i++) {
        assertThat(receive(WAIT)).isEqualTo("m" + i);
      }
      assertThat(pub.stats().refusedClients()).isZero();
    }
  }

  @Test
  void listedClient_overIpc_delivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curvePublication(SERVER, CLIENT),
          "ipc://" + dir.resolve("curve.sock"));
      send(ctx.connect(curveClient(CLIENT, SERVER), pub.endpoints().get(0)), "over ipc");

      assertThat(receive(WAIT)).isEqualTo("over ipc");
    }
  }

  /**
   * A client whose key is not listed gets nothing delivered, and the publication counts the
   * refusal; a listed client of the same publication, sending after it, is delivered, and only
   * its messages arrive.
   */
  @Test
  void unlistedClient_nothingDelivered_refusalCounted() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curvePublication(SERVER, CLIENT),
          "tcp://127.0.0.1:*");
      RemoteThread stranger = ctx.connect(curveClient(STRANGER, SERVER), pub.endpoints().get(0));
      for (int i = 0; i < 10; i++) {
        send(stranger, "from the stranger " + i);
      }

      BadInputTest.eventually().until(() -> pub.stats().refusedClients() >= 1);
      send(ctx.connect(curveClient(CLIENT, SERVER), pub.endpoints().get(0)), "from the client");

      assertThat(receive(WAIT)).isEqualTo("from the client");
      assertThat(receive(QUIET, NONE)).as("nothing else arrives").isSameAs(NONE);
      PublicationStats stats = pub.stats();
      assertThat(stats.received()).as("frames that reached the publication").isEqualTo(1);
      assertThat(stats.delivered()).isEqualTo(1);
      assertThat(stats.refusedClients()).isPositive();
      assertThat(stranger.stats().sent() + stranger.stats().queued())
          .as("the stranger's messages wait on its side").isEqualTo(10);
      System.out.printf("unlisted client: sent 10, delivered 0; listed client: sent 1,"
          + " delivered 1; publication %s%n", stats);
    }
  }

  /** A client that has the wrong public key for the server never completes a handshake. */
  @Test
  void clientWithWrongServerKey_nothingDelivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curvePublication(SERVER, CLIENT),
          "tcp://127.0.0.1:*");
      RemoteThread misled = ctx.connect(curveClient(CLIENT, STRANGER), pub.endpoints().get(0));
      send(misled, "to the wrong server key");
      send(ctx.connect(curveClient(CLIENT, SERVER), pub.endpoints().get(0)), "right key");

      assertThat(receive(WAIT)).isEqualTo("right key");
      assertThat(receive(QUIET, NONE)).isSameAs(NONE);
      assertThat(pub.stats().received()).isEqualTo(1);
    }
  }

  /**
   * One ZAP handler serves every publication of a context; each publication has its own ZAP
   * domain and its own list: a key allowed by one is refused by the other.
   */
  @Test
  void keyAllowedByOnePublication_refusedByAnotherOfTheSameContext() {
    CurveKeyPair otherClient = CurveKeyPair.generate();
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication a = ctx.publish(Thread.currentThread(), curvePublication(SERVER, CLIENT),
          "tcp://127.0.0.1:*");
      Publication b = ctx.publish(Thread.currentThread(), curvePublication(SERVER, otherClient),
          "tcp://127.0.0.1:*");

      send(ctx.connect(curveClient(CLIENT, SERVER), b.endpoints().get(0)), "CLIENT to b");
      BadInputTest.eventually().until(() -> b.stats().refusedClients() >= 1);
      send(ctx.connect(curveClient(otherClient, SERVER), b.endpoints().get(0)), "other to b");
      send(ctx.connect(curveClient(CLIENT, SERVER), a.endpoints().get(0)), "CLIENT to a");

      assertThat(List.of(receive(WAIT), receive(WAIT)))
          .containsExactlyInAnyOrder("other to b", "CLIENT to a");
      assertThat(receive(QUIET, NONE)).isSameAs(NONE);
      assertThat(a.stats().refusedClients()).isZero();
    }
  }

  /** inproc connections have no handshake, so CURVE could not check them: refused upfront. */
  @Test
  void publishAndConnect_curveOnInproc_refusedWithWhatToDo() {
    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(),
          curvePublication(SERVER, CLIENT), "tcp://127.0.0.1:*", "inproc://curve-test"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CURVE does not apply to inproc://curve-test")
          .hasMessageContaining("publish inproc endpoints without CURVE");
      assertThatThrownBy(() -> ctx.connect(curveClient(CLIENT, SERVER), "inproc://curve-test"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CURVE does not apply to inproc://curve-test");
    }
  }

  @Test
  void allowingAnyClient_anyKeyDelivered() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          PublishOptions.defaults().withCurve(CurveServer.allowingAnyClient(SERVER)),
          "tcp://127.0.0.1:*");
      send(ctx.connect(curveClient(STRANGER, SERVER), pub.endpoints().get(0)), "anyone");

      assertThat(receive(WAIT)).isEqualTo("anyone");
      assertThat(pub.stats().refusedClients()).isZero();
    }
  }

  /**
   * Keys from files, as {@code mbt keygen} writes them: the server's pair from its secret
   * certificate, the allowed clients from a directory of public certificates.
   */
  @Test
  void keysLoadedFromFiles_listedClientDelivered_otherRefused() throws Exception {
    Path allowed = Files.createDirectories(dir.resolve("allowed"));
    SERVER.save(dir.resolve("server.key"));
    CLIENT.save(dir.resolve("client.key"));
    Files.copy(dir.resolve("client.key"), allowed.resolve("client.key"));
    CurveKeyPair.generate().save(allowed.resolve("another.key"));

    CurveKeyPair serverKeys = CurveKeyPair.load(dir.resolve("server.key_secret"));
    CurveKeyPair clientKeys = CurveKeyPair.load(dir.resolve("client.key_secret"));
    String serverKey = CurveKeyPair.readPublicKey(dir.resolve("server.key"));
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PublishOptions.defaults()
          .withCurve(CurveServer.allowingKeysIn(serverKeys, allowed)), "tcp://127.0.0.1:*");
      send(ctx.connect(curveClient(STRANGER, SERVER), pub.endpoints().get(0)), "stranger");
      BadInputTest.eventually().until(() -> pub.stats().refusedClients() >= 1);
      send(ctx.connect(ConnectOptions.defaults().withCurve(new CurveClient(clientKeys, serverKey)),
          pub.endpoints().get(0)), "from files");

      assertThat(receive(WAIT)).isEqualTo("from files");
      assertThat(receive(QUIET, NONE)).isSameAs(NONE);
    }
  }

  /**
   * The bytes on the wire: a relay between a connection and a publication records every byte
   * it forwards. With CURVE the message text is nowhere in them; without CURVE (the control
   * case, which proves the capture can see a message) it is.
   */
  @ParameterizedTest(name = "curve={0}")
  @ValueSource(booleans = {true, false})
  void relayCapture_curveHidesTheMessage_plainShowsIt(boolean curve) throws Exception {
    String secret = "carrot-7f3a9c-the-secret-recipe";
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          curve ? curvePublication(SERVER, CLIENT) : PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      byte[] captured;
      try (TcpRelay relay = new TcpRelay(pub.endpoints().get(0))) {
        RemoteThread remote = ctx.connect(
            curve ? curveClient(CLIENT, SERVER) : ConnectOptions.defaults(), relay.endpoint());
        for (int i = 0; i < 3; i++) {
          send(remote, secret + " #" + i);
        }
        for (int i = 0; i < 3; i++) {
          assertThat(receive(WAIT)).as("delivered through the relay").isEqualTo(secret + " #" + i);
        }
        remote.close();
        captured = relay.captured();
      }

      String wire = new String(captured, StandardCharsets.ISO_8859_1); // one char per byte
      System.out.printf("relay capture, curve=%s: 3 messages delivered, %d bytes forwarded,"
          + " message text found: %s%n", curve, captured.length, wire.contains(secret));
      assertThat(captured.length).as("bytes forwarded").isGreaterThan(3 * secret.length());
      assertThat(wire).as("the ZMTP greeting names the mechanism, in clear by design")
          .contains(curve ? "CURVE" : "NULL");
      if (curve) {
        assertThat(wire).doesNotContain(secret).doesNotContain("carrot");
        assertThat(wire).as("nor the secret key").doesNotContain(SERVER.secretKey())
            .doesNotContain(CLIENT.secretKey());
      } else {
        assertThat(wire).contains(secret + " #0", secret + " #1", secret + " #2");
      }
    }
  }

  /**
   * A CURVE client and a plain publication, or a plain client and a CURVE publication, never
   * complete a handshake: nothing is delivered, and sends fail with {@link SendTimeoutException}
   * once the queues are full, each within its send timeout; close() returns within the linger.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"curveClientToPlainPublication", "plainClientToCurvePublication"})
  void mismatchedConfiguration_nothingDelivered_sendFailsWithinSendTimeout(String mismatch) {
    int hwm = 10;
    Duration sendTimeout = Duration.ofMillis(300);
    Duration linger = Duration.ofMillis(200);
    long slackMillis = 1_000; // scheduling on a loaded 2-core machine
    boolean curveClient = mismatch.startsWith("curve");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          curveClient ? PublishOptions.defaults() : curvePublication(SERVER, CLIENT),
          "tcp://127.0.0.1:*");
      ConnectOptions options = (curveClient ? curveClient(CLIENT, SERVER)
          : ConnectOptions.defaults())
          .withSendHighWaterMark(hwm).withSendTimeout(sendTimeout).withLinger(linger);
      RemoteThread remote = ctx.connect(options, pub.endpoints().get(0));

      int accepted = 0;
      long slowestMillis = 0;
      boolean timedOut = false;
      while (!timedOut && accepted < 10 * hwm) { // bounded: the queues hold 2 x hwm
        long t0 = System.nanoTime();
        try {
          send(remote, "m" + accepted);
          accepted++;
        } catch (SendTimeoutException e) {
          timedOut = true;
        }
        slowestMillis = Math.max(slowestMillis,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      }

      assertThat(timedOut).as("a send failed with SendTimeoutException").isTrue();
      assertThat(accepted).as("sends accepted: the two queues").isBetween(hwm, 2 * hwm);
      assertThat(slowestMillis).as("no send waited much past the send timeout")
          .isLessThan(sendTimeout.toMillis() + slackMillis);
      assertThat(receive(QUIET, NONE)).as("nothing delivered").isSameAs(NONE);
      assertThat(pub.stats().received()).isZero();
      long c0 = System.nanoTime();
      remote.close();
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0))
          .as("close() returns within the linger").isLessThan(linger.toMillis() + slackMillis);
      System.out.printf("mismatch %s: %d sends accepted, then SendTimeoutException; slowest"
          + " send %d ms (timeout %d ms); publication received %d; after close %s%n", mismatch,
          accepted, slowestMillis, sendTimeout.toMillis(), pub.stats().received(),
          remote.stats());
      assertThat(remote.stats().discarded()).as("what was queued is counted").isPositive();
    }
  }
}
