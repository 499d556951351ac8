package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sending to an endpoint where nothing listens: once the connection's queue and ZeroMQ's
 * high-water mark are full, {@code send} fails with {@link SendTimeoutException} after the send
 * timeout (it never hangs), and {@code close()} gives up after the linger and counts what it
 * could not hand over.
 *
 * <p>What fills up, with a high-water mark of 10: the connection's own queue takes 10, and
 * ZeroMQ's pipe to the endpoint (created at connect time, waiting for the peer) one message, a
 * lone frame or a batch of up to 10 (with batching, ZMQ_SNDHWM is 10 / 256, at least 1); the
 * next send waits. No receiver ever completed a handshake, so at close the messages in ZeroMQ's
 * pipe move from {@code sent} to {@code discarded}, with those of the connection's own queue.
 */
class SendTimeoutTest {
  private static final int HWM = 10;
  private static final Duration SEND_TIMEOUT = Duration.ofMillis(200);
  private static final Duration LINGER = Duration.ofMillis(100);
  /** Scheduling slack on a loaded 2-core machine. */
  private static final long SLACK_MILLIS = 1_000;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ipc"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void send_nobodyListensAndQueuesFull_throwsSendTimeoutWithinTimeoutAndCloseDiscards(
      String transport) {
    String endpoint = transport.equals("tcp")
        ? "tcp://127.0.0.1:" + freePort() : "ipc://" + dir.resolve("nobody");
    ConnectOptions options = ConnectOptions.defaults()
        .withSendHighWaterMark(HWM).withSendTimeout(SEND_TIMEOUT).withLinger(LINGER);
    try (RemoteContext context = RemoteContext.create()) {
      RemoteThread remote = context.connect(options, endpoint);
      int accepted = 0;
      long failedAfterNanos = -1;
      while (accepted < 10 * HWM) { // bounded: the queues hold 2 x HWM
        long t0 = System.nanoTime();
        try {
          send(remote, "m-" + accepted);
          accepted++;
        } catch (SendTimeoutException e) {
          failedAfterNanos = System.nanoTime() - t0;
          break;
        }
      }
      long failedAfterMillis = TimeUnit.NANOSECONDS.toMillis(failedAfterNanos);
      assertThat(failedAfterNanos).as("a send timed out").isPositive();
      assertThat(accepted).as("sends accepted before the first timeout").isBetween(HWM, 2 * HWM);
      assertThat(failedAfterNanos).as("the failing send waited the send timeout")
          .isGreaterThanOrEqualTo(SEND_TIMEOUT.toNanos());
      assertThat(failedAfterMillis).as("and not much longer")
          .isLessThan(SEND_TIMEOUT.toMillis() + SLACK_MILLIS);
      assertThat(remote.stats().timedOut()).isEqualTo(1);
      assertThatThrownBy(() -> send(remote, "one more")).isInstanceOf(SendTimeoutException.class);
      assertThat(remote.stats().timedOut()).as("every timed-out send is counted").isEqualTo(2);

      ConnectionStats beforeClose = remote.stats();
      long c0 = System.nanoTime();
      remote.close();
      long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0);
      ConnectionStats afterClose = remote.stats();
      System.out.printf("send-timeout %s: %d accepted, the next failed after %d ms; before close"
          + " %s; close() took %d ms (linger %d ms); after close %s%n", transport, accepted,
          failedAfterMillis, beforeClose, closeMillis, LINGER.toMillis(), afterClose);
      assertThat(closeMillis).as("close() returns within the linger")
          .isLessThan(LINGER.toMillis() + SLACK_MILLIS);
      assertThat(beforeClose.queued()).as("queued before close").isPositive();
      assertThat(afterClose.discarded())
          .as("what was queued, and what ZeroMQ held for a peer that never answered, is discarded"
              + " and counted")
          .isEqualTo(accepted);
      assertThat(afterClose.queued()).isZero();
      assertThat(afterClose.sent()).isZero();
    }
  }

  /**
   * Regression test for closing while the receiver is down. {@link RemoteContext#close()}
   * promises that connections "deliver what they hold, for up to their linger", and {@link
   * ConnectOptions#linger()} bounds how long delivery goes on after close. The bug it covers: the
   * connection's I/O thread first waits up to the linger for room in ZeroMQ's pipe
   * ({@code SenderLoop.loop}, closeDeadline), and only then closes the socket, whose ZMQ_LINGER
   * was set to the full linger at connect and starts counting at that moment; so closing takes
   * two lingers: {@code RemoteThread.close()} one, then the context's {@code term()} another (10
   * s instead of 5 s with the defaults, e.g. for a program exiting while its receiver is down).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ipc"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void close_receiverDownAndQueuesFull_contextCloseReturnsWithinOneLinger(String transport) {
    Duration linger = Duration.ofSeconds(2);
    String endpoint = transport.equals("tcp")
        ? "tcp://127.0.0.1:" + freePort() : "ipc://" + dir.resolve("nobody");
    ConnectOptions options = ConnectOptions.defaults()
        .withSendHighWaterMark(HWM).withSendTimeout(SEND_TIMEOUT).withLinger(linger);
    RemoteContext context = RemoteContext.create();
    long remoteCloseMillis = -1;
    try {
      RemoteThread remote = context.connect(options, endpoint);
      int accepted = 0;
      try {
        while (accepted < 10 * HWM) {
          send(remote, "m-" + accepted);
          accepted++;
        }
      } catch (SendTimeoutException expected) {
        // both queues are full: a send waited SEND_TIMEOUT for room and got none
      }
      ConnectionStats full = remote.stats();
      assertThat(full.sent()).as("in ZeroMQ's pipe").isPositive();
      assertThat(full.queued()).as("in the connection's queue").isPositive();
      long t0 = System.nanoTime();
      remote.close();
      remoteCloseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    } finally {
      long t0 = System.nanoTime();
      context.close();
      long contextCloseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long totalMillis = Math.max(0, remoteCloseMillis) + contextCloseMillis;
      System.out.printf("close-linger %s: remote.close() took %d ms, then context.close() %d ms;"
          + " %d ms in all with linger %d ms%n", transport, remoteCloseMillis, contextCloseMillis,
          totalMillis, linger.toMillis());
      assertThat(totalMillis).as("closing with the receiver down, linger " + linger)
          .isLessThan(linger.toMillis() + SLACK_MILLIS);
    }
  }

  /** A tcp port that was free a moment ago: bound with a wildcard, read, released. */
  private static int freePort() {
    try (RemoteContext context = RemoteContext.create();
        Publication probe = context.publish(Thread.currentThread(), "tcp://127.0.0.1:*")) {
      String endpoint = probe.endpoints().get(0);
      return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }
  }
}
