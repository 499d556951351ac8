package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A mismatched CURVE configuration shows on the receiver: each row of docs/remote.md's mismatch
 * table moves the publication's {@code failedHandshakes} (its socket monitor), with a log line
 * naming the endpoint and the kind of failure; a correct client never does.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeFailureTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  /** How long "nothing is counted" is watched; a failing client retries every 100 ms at first. */
  private static final Duration QUIET = Duration.ofMillis(700);

  private static final CurveKeyPair SERVER = CurveKeyPair.generate();
  private static final CurveKeyPair CLIENT = CurveKeyPair.generate();
  private static final CurveKeyPair STRANGER = CurveKeyPair.generate();

  private LogCapture log;

  @BeforeEach
  void setUp() {
    EndpointTest.drainMailbox();
    log = new LogCapture();
  }

  @AfterEach
  void tearDown() {
    log.close();
  }

  /** The rows of the mismatch table that the ZAP handler does not see. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"wrongServerKey", "curveClientToPlainPublication",
      "plainClientToCurvePublication"})
  void mismatch_countedByTheReceiver_withALogLineNamingEndpointAndKind(String row) {
    boolean curvePublication = !row.equals("curveClientToPlainPublication");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curvePublication
          ? CurveTest.curvePublication(SERVER, CLIENT) : PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      ConnectOptions options = switch (row) {
        case "wrongServerKey" -> CurveTest.curveClient(CLIENT, STRANGER);
        case "curveClientToPlainPublication" -> CurveTest.curveClient(CLIENT, SERVER);
        default -> ConnectOptions.defaults().withLinger(Duration.ofMillis(300));
      };
      send(ctx.connect(options, pub.endpoints().get(0)), "never delivered");

      BadInputTest.eventually().until(() -> pub.stats().failedHandshakes() >= 1);

      PublicationStats stats = pub.stats();
      assertThat(stats.received()).isZero();
      assertThat(stats.refusedClients()).as("not a ZAP refusal").isZero();
      String kind = row.equals("wrongServerKey") ? "ZMTP_CRYPTOGRAPHIC"
          : "another security mechanism";
      BadInputTest.eventually().until(() -> log.records().stream().anyMatch(r ->
          r.getLevel() == Level.WARNING && r.getMessage().contains("handshake on "
              + pub.endpoints().get(0)) && r.getMessage().contains(kind)));
      System.out.printf("%s: publication %s; log: %s%n", row, pub.stats(),
          log.records().stream().filter(r -> r.getLevel() == Level.WARNING).findFirst()
              .map(LogRecord::getMessage).orElse("?"));
    }
  }

  /** A refused client is the ZAP handler's count, not a failed handshake: the two stay apart. */
  @Test
  void unlistedClient_countedAsRefused_notAsFailedHandshake() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(),
          CurveTest.curvePublication(SERVER, CLIENT), "tcp://127.0.0.1:*");
      send(ctx.connect(CurveTest.curveClient(STRANGER, SERVER), pub.endpoints().get(0)), "no");

      BadInputTest.eventually().until(() -> pub.stats().refusedClients() >= 1);

      Awaitility.await().during(QUIET).atMost(QUIET.plus(WAIT))
          .until(() -> pub.stats().failedHandshakes() == 0);
      assertThat(pub.stats().received()).isZero();
    }
  }

  /**
   * Correct clients, CURVE and plain, several at once and then closed: nothing is counted, not
   * even when their connections end.
   */
  @ParameterizedTest(name = "curve={0}")
  @ValueSource(booleans = {true, false})
  void correctClients_connectAndClose_noFailedHandshake(boolean curve) {
    int clients = 8;
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), curve
          ? CurveTest.curvePublication(SERVER, CLIENT) : PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      List<RemoteThread> remotes = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        remotes.add(ctx.connect(curve ? CurveTest.curveClient(CLIENT, SERVER)
            : ConnectOptions.defaults(), pub.endpoints().get(0)));
      }
      for (RemoteThread remote : remotes) {
        send(remote, "hello");
      }
      for (int i = 0; i < clients; i++) {
        assertThat(receive(WAIT)).isEqualTo("hello");
      }
      remotes.forEach(RemoteThread::close);

      try {
        Awaitility.await().during(QUIET).atMost(QUIET.plus(WAIT))
            .until(() -> pub.stats().failedHandshakes() == 0);
      } catch (RuntimeException e) {
        throw new AssertionError("failed handshakes with correct clients; logged: "
            + log.records().stream().map(r -> r.getLevel() + " " + r.getMessage()).toList(), e);
      }
      assertThat(pub.stats().delivered()).isEqualTo(clients);
    }
  }

  /**
   * A TCP connection that closes before any greeting (a port probe) is a failed handshake too:
   * the first is logged at WARNING, the next within a minute at DEBUG.
   */
  @Test
  void portProbes_counted_firstLoggedAtWarning_nextAtDebug() throws IOException {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      for (int i = 1; i <= 2; i++) {
        try (SocketChannel probe = SocketChannel.open(address(pub))) {
          assertThat(probe.isConnected()).isTrue();
        }
        int expected = i;
        BadInputTest.eventually().until(() -> pub.stats().failedHandshakes() == expected);
      }

      BadInputTest.eventually().until(() -> log.records().stream()
          .filter(r -> r.getMessage().contains("a port probe")).count() == 2);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING).hasSize(1)
          .allSatisfy(r -> assertThat(r.getMessage()).contains(pub.endpoints().get(0)));
    }
  }

  /**
   * A peer that exchanges ZMTP greetings (NULL mechanism) and then closes, as mbt's reachability
   * probe does (greetings, the start of READY, a FIN, then reading until the publication
   * closes), is not a failed handshake.
   */
  @Test
  void greetingThenClose_notCounted() throws IOException {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), PublishOptions.defaults(),
          "tcp://127.0.0.1:*");
      byte[] greeting = new byte[64];
      greeting[0] = (byte) 0xFF;
      greeting[9] = 0x7F;
      greeting[10] = 3;
      System.arraycopy("NULL".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0,
          greeting, 12, 4);
      try (java.net.Socket peer = new java.net.Socket()) {
        peer.connect(address(pub), 5_000);
        peer.setSoTimeout(5_000);
        peer.getOutputStream().write(greeting);
        // its greeting, and the first byte of its READY: it has taken ours
        byte[] theirs = peer.getInputStream().readNBytes(65);
        assertThat(theirs).hasSize(65);
        assertThat(new String(theirs, 12, 4, java.nio.charset.StandardCharsets.US_ASCII))
            .isEqualTo("NULL");
        peer.shutdownOutput(); // a FIN; then read until the publication closes: no reset
        peer.getInputStream().readAllBytes();
      }
      // its end is seen: a connection opened after it is counted after it
      try (SocketChannel probe = SocketChannel.open(address(pub))) {
        assertThat(probe.isConnected()).isTrue();
      }

      BadInputTest.eventually().until(() -> pub.stats().failedHandshakes() >= 1);
      Awaitility.await().during(QUIET).atMost(QUIET.plus(WAIT))
          .until(() -> pub.stats().failedHandshakes() == 1);
    }
  }

  private static InetSocketAddress address(Publication pub) {
    URI uri = URI.create(pub.endpoints().get(0));
    return new InetSocketAddress(uri.getHost(), uri.getPort());
  }
}
