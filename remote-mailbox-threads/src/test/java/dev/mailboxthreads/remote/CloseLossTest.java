package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

/**
 * Nothing is lost silently at close: the messages ZeroMQ held for a receiver when the linger
 * ended (none ever completed a handshake with the connection, or the one that did went away and
 * did not come back) are counted as discarded, with those still in the connection's own queue;
 * when a receiver is there, or comes back within the linger, nothing is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseLossTest {
  private static final Duration LINGER = Duration.ofMillis(300);
  /** Scheduling slack on a loaded 2-core machine. */
  private static final long SLACK_MILLIS = 1_000;
  private static final int N = 50;

  @TempDir Path dir;
  private LogCapture log;

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
    log = new LogCapture();
  }

  @AfterEach
  void stopCapture() {
    log.close();
  }

  private String absent(String transport) {
    return transport.equals("tcp")
        ? "tcp://127.0.0.1:" + BatchTest.freePort() : "ipc://" + dir.resolve("nobody");
  }

  @ParameterizedTest(name = "{0}, batching {1}")
  @ValueSource(strings = {"tcp", "ipc"})
  void nobodyListens_closeAfterTheLinger_countsEveryMessageDiscarded(String transport) {
    for (boolean batching : new boolean[] {true, false}) {
      ConnectOptions options = ConnectOptions.defaults().withLinger(LINGER)
          .withBatching(batching);
      try (RemoteContext ctx = RemoteContext.create()) {
        RemoteThread remote = ctx.connect(options, absent(transport));
        long closeMillis = sendAllThenClose(remote, "m-");
        ConnectionStats stats = remote.stats();
        assertThat(stats.discarded()).as("batching %s: discarded", batching).isEqualTo(N);
        assertThat(stats.sent()).as("sent").isZero();
        assertThat(stats.queued()).isZero();
        assertThat(closeMillis).as("close() waits for a handshake up to the linger, no more")
            .isLessThan(LINGER.toMillis() + SLACK_MILLIS);
      }
    }
  }

  /**
   * Also inproc, which has no handshake to see (no engine, no monitor events): a regression test
   * for close() waiting out the whole linger and then counting every delivered message as
   * discarded.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ipc", "inproc"})
  void receiverThere_nothingDiscarded_allDelivered(String transport) {
    String endpoint = switch (transport) {
      case "tcp" -> "tcp://127.0.0.1:*";
      case "ipc" -> "ipc://" + dir.resolve("r");
      default -> "inproc://close-loss-" + System.nanoTime();
    };
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), endpoint)) {
      Duration linger = Duration.ofSeconds(5);
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withLinger(linger),
          pub.endpoints().toArray(String[]::new));
      // closes right after the sends: the handshake may not be done yet
      long closeMillis = sendAllThenClose(remote, "m-");
      for (int i = 0; i < N; i++) {
        assertThat(receive(BatchTest.WAIT)).isEqualTo("m-" + i);
      }
      assertThat(remote.stats().discarded()).isZero();
      assertThat(remote.stats().sent()).isEqualTo(N);
      assertThat(closeMillis).as("close() did not wait out the linger")
          .isLessThan(linger.toMillis());
    }
  }

  /**
   * A receiver that was reachable (handshake done, messages delivered) and then went away: what
   * is sent after the connection saw it go waits in ZeroMQ for a reconnect; at close, after the
   * linger, those are moved from sent to discarded with a WARNING, so delivered + discarded is
   * every message sent. The test sends them only once the connection has logged the disconnect:
   * messages written to the TCP connection or its engine in the moment the receiver went cannot
   * be known without acknowledgements (at most once, docs/remote.md).
   */
  @ParameterizedTest(name = "{0}, batching {1}")
  @CsvSource({"tcp, true", "tcp, false", "ipc, true", "ipc, false"})
  void receiverGoneAfterHandshake_closeAfterTheLinger_countsHeldMessagesDiscarded(
      String transport, boolean batching) {
    String endpoint = transport.equals("tcp") ? "tcp://127.0.0.1:*" : "ipc://" + dir.resolve("r");
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), endpoint);
      RemoteThread remote = ctx.connect(
          ConnectOptions.defaults().withLinger(LINGER).withBatching(batching),
          pub.endpoints().toArray(String[]::new));
      int delivered = N / 2;
      for (int i = 0; i < delivered; i++) {
        send(remote, "before-" + i);
      }
      for (int i = 0; i < delivered; i++) {
        assertThat(receive(BatchTest.WAIT)).isEqualTo("before-" + i);
      }
      pub.close();
      awaitDisconnectSeen();
      long closeMillis = sendAllThenClose(remote, "after-");

      ConnectionStats stats = remote.stats();
      assertThat(stats.discarded()).as("discarded: every message sent after it went").isEqualTo(N);
      assertThat(stats.sent()).as("sent: the delivered ones").isEqualTo(delivered);
      assertThat(stats.sent() + stats.discarded()).as("every message accounted for")
          .isEqualTo(delivered + N);
      assertThat(stats.queued()).isZero();
      assertThat(closeMillis).as("close() waits for the receiver up to the linger, no more")
          .isLessThan(LINGER.toMillis() + SLACK_MILLIS);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING)
          .extracting(LogRecord::getMessage)
          .anySatisfy(m -> assertThat(m).contains("discarded " + N + " message(s) held by ZeroMQ")
              .contains("no receiver was connected"));
      assertThat(receive(Duration.ZERO, "none")).as("nothing else arrived").isEqualTo("none");
    }
  }

  /**
   * The same receiver comes back on the same port while the connection closes: what ZeroMQ held
   * for it is delivered within the linger, and nothing is counted as discarded.
   */
  @ParameterizedTest(name = "batching {0}")
  @ValueSource(booleans = {true, false})
  void receiverBackWithinTheLinger_heldMessagesDelivered_nothingDiscarded(boolean batching) {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String endpoint = pub.endpoints().get(0);
      RemoteThread remote = ctx.connect(
          ConnectOptions.defaults().withLinger(Duration.ofSeconds(10)).withBatching(batching),
          endpoint);
      send(remote, "first");
      assertThat(receive(BatchTest.WAIT)).isEqualTo("first");
      pub.close();
      awaitDisconnectSeen();
      for (int i = 0; i < N; i++) {
        send(remote, "held-" + i);
      }
      try (Publication again = ctx.publish(Thread.currentThread(), endpoint)) {
        remote.close();
        for (int i = 0; i < N; i++) {
          assertThat(receive(BatchTest.WAIT)).isEqualTo("held-" + i);
        }
        // counted just after the mailbox send: may trail the last receive by a moment
        Awaitility.await().atMost(BatchTest.WAIT).until(() -> again.stats().delivered() == N);
      }
      assertThat(remote.stats().discarded()).isZero();
      assertThat(remote.stats().sent()).isEqualTo(N + 1);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING)
          .extracting(LogRecord::getMessage).noneMatch(m -> m.contains("discarded"));
    }
  }

  /**
   * A receiver that stops reading and then goes away: what ZeroMQ's pipe still held for it (the
   * backlog, read from JeroMQ's pipe counters) is counted as discarded at close, not only what
   * was sent after it went. What the kernel's buffers and the receiver had taken cannot be known
   * (at most once): the test bounds it by what fits in loopback socket buffers, a few MB, far
   * less than the 16 MB sent.
   */
  @ParameterizedTest(name = "batching {0}")
  @ValueSource(booleans = {true, false})
  void receiverStallsThenGoes_backlogInZeroMqCountedDiscarded(boolean batching) {
    int n = 2_000;
    String payload = "x".repeat(8 * 1024);
    ZMQ.Context raw = ZMQ.context(1);
    ZMQ.Socket pull = slowPull(raw);
    AtomicInteger handshakes = handshakesOf(pull);
    boolean pullOpen = true;
    try (RemoteContext ctx = RemoteContext.create()) {
      String endpoint = pull.getLastEndpoint();
      // room in ZeroMQ for all n even as lone frames: a batching connection's ZMQ_SNDHWM is
      // sendHighWaterMark / 256 messages, and batches form only when the sender outpaces it; a
      // connection without batching holds up to ConnectOptions.ZMQ_MAX_UNBATCHED (4,096)
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withLinger(LINGER)
          .withBatching(batching).withSendHighWaterMark(256 * n + 256), endpoint);
      for (int i = 0; i < n; i++) {
        send(remote, payload);
      }
      // all handed to ZeroMQ: the pipe holds what the stalled TCP connection does not
      BadInputTest.eventually().until(() -> remote.stats().sent() == n);
      // and the receiver connected: with batching, the I/O thread can hand all n to ZeroMQ's
      // pipe before the handshake is done, and a receiver gone before it never was one (that
      // case is nobodyListens_…)
      Awaitility.await().atMost(BatchTest.WAIT).until(() -> handshakes.get() > 0);
      pull.close(); // never read a message
      pullOpen = false;
      awaitDisconnectSeen();
      remote.close();

      ConnectionStats stats = remote.stats();
      assertThat(stats.sent() + stats.discarded()).isEqualTo(n);
      assertThat(stats.discarded()).as("the backlog, counted").isBetween((long) n / 2, (long) n);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING)
          .extracting(LogRecord::getMessage)
          .anySatisfy(m -> assertThat(m).contains("discarded " + stats.discarded() + " message(s)")
              .contains("disconnected before taking them"));
    } finally {
      if (pullOpen) {
        pull.close(); // else the context's close waits for it forever
      }
      raw.close();
    }
  }

  /**
   * A receiver that stays connected but takes nothing (a stalled reader): close() waits the
   * linger for ZeroMQ's pipe to drain, and what the pipe still holds then is counted as
   * discarded, with a WARNING that says so; ZeroMQ drops just that.
   */
  @ParameterizedTest(name = "batching {0}")
  @ValueSource(booleans = {true, false})
  void receiverConnectedButNotReading_whatThePipeHoldsAtTheLingerCountedDiscarded(
      boolean batching) {
    int n = 2_000;
    String payload = "x".repeat(8 * 1024);
    ZMQ.Context raw = ZMQ.context(1);
    ZMQ.Socket pull = slowPull(raw);
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withLinger(LINGER)
          .withBatching(batching).withSendHighWaterMark(256 * n + 256), pull.getLastEndpoint());
      for (int i = 0; i < n; i++) {
        send(remote, payload);
      }
      BadInputTest.eventually().until(() -> remote.stats().sent() == n);
      long t0 = System.nanoTime();
      remote.close(); // the receiver is connected and reads nothing
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

      ConnectionStats stats = remote.stats();
      assertThat(stats.sent() + stats.discarded()).isEqualTo(n);
      assertThat(stats.discarded()).as("what the pipe held, counted (the kernel's buffers and"
          + " the receiver's took a few MB of the 16 MB)").isBetween((long) n / 2, (long) n);
      assertThat(closeMillis).as("close() waits for the pipe up to the linger, no more")
          .isBetween(LINGER.toMillis() - 50, LINGER.toMillis() + SLACK_MILLIS);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING)
          .extracting(LogRecord::getMessage)
          .anySatisfy(m -> assertThat(m).contains("discarded " + stats.discarded() + " message(s)")
              .contains("did not take them within the linger"));
    } finally {
      pull.close();
      raw.close();
    }
  }

  /**
   * A slow receiver that takes everything within the linger: close() waits for ZeroMQ's pipe
   * to drain to it, nothing is discarded, and everything arrives.
   */
  @org.junit.jupiter.api.Test
  void slowReceiverDrainsWithinTheLinger_closeWaits_nothingDiscarded() throws Exception {
    int n = 2_000;
    String payload = "y".repeat(8 * 1024);
    ZMQ.Context raw = ZMQ.context(1);
    ZMQ.Socket pull = slowPull(raw);
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(ConnectOptions.defaults()
          .withLinger(Duration.ofSeconds(20)).withBatching(false)
          .withSendHighWaterMark(n + 1), pull.getLastEndpoint());
      for (int i = 0; i < n; i++) {
        send(remote, payload);
      }
      BadInputTest.eventually().until(() -> remote.stats().sent() == n);
      java.util.concurrent.CountDownLatch closing = new java.util.concurrent.CountDownLatch(1);
      int[] got = new int[1];
      Thread reader = Thread.ofPlatform().start(() -> {
        try {
          closing.await();
        } catch (InterruptedException e) {
          return;
        }
        while (got[0] < n && pull.recv(0) != null) {
          got[0]++;
        }
      });
      closing.countDown();
      remote.close();
      ConnectionStats stats = remote.stats();
      reader.join(BatchTest.WAIT.toMillis());
      assertThat(reader.isAlive()).isFalse();
      assertThat(stats.discarded()).isZero();
      assertThat(stats.sent()).isEqualTo(n);
      assertThat(got[0]).as("everything arrived").isEqualTo(n);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.WARNING).isEmpty();
    } finally {
      pull.close();
      raw.close();
    }
  }

  /**
   * A raw PULL socket on loopback tcp that holds one message at most, so that a receiver that
   * does not read soon stalls the TCP connection and leaves the rest in the sender's pipe.
   */
  private static ZMQ.Socket slowPull(ZMQ.Context raw) {
    ZMQ.Socket pull = raw.socket(SocketType.PULL);
    pull.setLinger(0);
    pull.setRcvHWM(1);
    pull.setReceiveTimeOut((int) BatchTest.WAIT.toMillis());
    assertThat(pull.bind("tcp://127.0.0.1:*")).isTrue();
    return pull;
  }

  /** Counts the handshakes that {@code pull}'s engines complete, from now on. */
  private static AtomicInteger handshakesOf(ZMQ.Socket pull) {
    AtomicInteger handshakes = new AtomicInteger();
    assertThat(pull.setEventHook(event -> {
      if (event.getEvent() == ZMonitor.Event.HANDSHAKE_PROTOCOL) {
        handshakes.incrementAndGet();
      }
    }, ZMQ.EVENT_HANDSHAKE_PROTOCOL)).isTrue();
    return handshakes;
  }

  /** Waits until the connection has logged that no receiver is connected any more. */
  private void awaitDisconnectSeen() {
    Awaitility.await().atMost(BatchTest.WAIT).until(() -> log.records().stream()
        .anyMatch(r -> r.getMessage().contains("disconnected; no receiver is connected")));
  }

  /**
   * Sends N messages named {@code prefix} and a number, then closes the connection at once.
   *
   * @return how long {@code close()} took, in milliseconds
   */
  private static long sendAllThenClose(RemoteThread remote, String prefix) {
    for (int i = 0; i < N; i++) {
      send(remote, prefix + i);
    }
    long t0 = System.nanoTime();
    remote.close();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
