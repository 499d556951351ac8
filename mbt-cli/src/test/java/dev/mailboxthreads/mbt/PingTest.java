package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.mbt.ConsumeProduceTest.EXIT;
import static dev.mailboxthreads.mbt.ConsumeProduceTest.STARTUP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mbt ping} against {@code mbt consume --echo}, over tcp and ipc. */
class PingTest {
  private static final String MS = "\\d+\\.\\d{3} ms";

  @TempDir Path dir;

  /**
   * Pings over tcp and over ipc come back; the statistics line has min, median, p99 and max;
   * the consumer prints no nom line for a ping.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void ping_echoConsumer_printsRoundTripStatisticsOverTcpAndIpc() throws Exception {
    String ipc = "ipc://" + dir.resolve("echo");
    try (MbtProcess consumer =
        MbtProcess.start("consume", "--echo", "tcp://127.0.0.1:*", ipc)) {
      String tcp = consumer.awaitBound(2, STARTUP).get(0);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);

      for (String endpoint : new String[] {tcp, ipc}) {
        Result r = MbtProcess.run(EXIT, "ping", "--count", "20", "--warmup", "5", endpoint);
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).hasSize(3);
        assertThat(r.stdout().get(0)).startsWith("ping " + endpoint + " (answers to ");
        assertThat(r.stdout().get(1))
            .matches("first answer in " + MS + " \\(connecting both ways; not counted\\)");
        assertThat(r.stdout().get(2)).matches(
            "20 round trips \\(after 5 not counted\\): min " + MS + ", median " + MS + ", p99 "
                + MS + ", max " + MS);
        assertThat(r.exitCode()).isZero();
      }
      assertThat(consumer.stdout()).containsExactly("waiting for things to consume");
      assertThat(consumer.isAlive()).isTrue();
    }
  }

  /** Without --echo the consumer ignores pings and says so once; ping says what to do. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void ping_consumerWithoutEcho_exits5AndSuggestsEcho() throws Exception {
    try (MbtProcess consumer = MbtProcess.start("consume", "tcp://127.0.0.1:*")) {
      String tcp = consumer.awaitBound(1, STARTUP).get(0);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);

      Result r = MbtProcess.run(EXIT, "ping", "--timeout", "2s", tcp);
      assertThat(r.exitCode()).isEqualTo(Exit.UNREACHABLE);
      assertThat(r.stderr()).hasSize(1);
      assertThat(r.stderr().get(0)).startsWith("mbt ping: no answer from " + tcp
          + " within 2s: is it 'mbt consume --echo'? (without --echo pings are ignored)");
      consumer.awaitStderr(l -> l.startsWith("mbt consume: ignoring pings from "), EXIT);
      assertThat(consumer.stdout()).containsExactly("waiting for things to consume");
    }
  }

  @Test
  void nearestRank_ofOneToHundred_isTheRankItself() {
    long[] values = new long[100];
    for (int i = 0; i < 100; i++) {
      values[i] = i + 1;
    }
    assertThat(PingCommand.nearestRank(values, 50)).isEqualTo(50);
    assertThat(PingCommand.nearestRank(values, 99)).isEqualTo(99);
    assertThat(PingCommand.nearestRank(new long[] {7}, 99)).isEqualTo(7);
  }
}
