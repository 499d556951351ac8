package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing is lost silently at close: when no receiver ever completed a handshake with a
 * connection, the messages ZeroMQ held when its linger ended are counted as discarded, with
 * those still in the connection's own queue; when a receiver is there, nothing is.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseLossTest {
  private static final Duration LINGER = Duration.ofMillis(300);
  /** Scheduling slack on a loaded 2-core machine. */
  private static final long SLACK_MILLIS = 1_000;
  private static final int N = 50;

  @TempDir Path dir;

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
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
        for (int i = 0; i < N; i++) {
          send(remote, "m-" + i);
        }
        long t0 = System.nanoTime();
        remote.close();
        long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        ConnectionStats stats = remote.stats();
        assertThat(stats.discarded()).as("batching %s: discarded", batching).isEqualTo(N);
        assertThat(stats.sent()).as("sent").isZero();
        assertThat(stats.queued()).isZero();
        assertThat(closeMillis).as("close() waits for a handshake up to the linger, no more")
            .isLessThan(LINGER.toMillis() + SLACK_MILLIS);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ipc"})
  void receiverThere_nothingDiscarded_allDelivered(String transport) {
    String endpoint = transport.equals("tcp") ? "tcp://127.0.0.1:*" : "ipc://" + dir.resolve("r");
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), endpoint)) {
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withLinger(Duration.ofSeconds(5)),
          pub.endpoints().toArray(String[]::new));
      for (int i = 0; i < N; i++) {
        send(remote, "m-" + i);
      }
      remote.close(); // right after the sends: the handshake may not be done yet
      for (int i = 0; i < N; i++) {
        assertThat(receive(BatchTest.WAIT)).isEqualTo("m-" + i);
      }
      assertThat(remote.stats().discarded()).isZero();
      assertThat(remote.stats().sent()).isEqualTo(N);
    }
  }
}
