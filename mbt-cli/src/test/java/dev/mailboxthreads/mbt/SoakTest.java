package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mbt soak}: the 30-second run that CI does (the "CI runs a 30-second version"),
 * the checks that decide its exit code, and its usage errors.
 */
class SoakTest {
  /** The 30-second soak as a process, as './mbt soak --seconds 30' runs it: exit 0, "OK". */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void soak_30Seconds_everyCheckPassesAndExits0() throws Exception {
    Result r = MbtProcess.run(Duration.ofSeconds(150), "soak", "--seconds", "30");

    System.out.println(String.join("\n", r.stdout()));
    assertThat(r.stdout()).as("stdout").isNotEmpty();
    assertThat(r.stdout().get(0)).startsWith("soak: 64 senders, 4 connections, tcp ");
    assertThat(r.stdout()).anyMatch(l -> l.startsWith("soak: baseline "))
        .anyMatch(l -> l.startsWith("soak: sample "))
        .anyMatch(l -> l.startsWith("soak: final "));
    assertThat(r.stdout().get(r.stdout().size() - 1)).startsWith("soak: OK: ");
    assertThat(r.stderr()).as("stderr").isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  private static SoakCommand.Measures measures(long sent, long received, long violations,
      long timeouts, long dropped, long heap0, long heap1, int threads0, int threads1,
      int maxThreads) {
    return new SoakCommand.Measures(sent, received, violations, timeouts, dropped, heap0, heap1,
        Math.max(heap0, heap1), threads0, threads1, maxThreads, 32L << 20);
  }

  @Test
  void failures_allFlat_none() {
    assertThat(measures(1000, 1000, 0, 0, 0, 50L << 20, 60L << 20, 30, 33, 34).failures())
        .isEmpty();
  }

  @Test
  void failures_eachBrokenCheck_namedInItsSentence() {
    assertThat(measures(1000, 990, 0, 0, 0, 50L << 20, 50L << 20, 30, 30, 30).failures())
        .containsExactly("1000 sent but 990 received");
    assertThat(measures(1000, 1000, 3, 0, 0, 50L << 20, 50L << 20, 30, 30, 30).failures())
        .containsExactly("3 message(s) out of order, repeated or after a gap");
    assertThat(measures(1000, 1000, 0, 2, 0, 50L << 20, 50L << 20, 30, 30, 30).failures())
        .containsExactly("2 send(s) timed out");
    assertThat(measures(1000, 1000, 0, 0, 5, 50L << 20, 50L << 20, 30, 30, 30).failures())
        .containsExactly("the publication dropped 5 frame(s)");
    assertThat(measures(1000, 1000, 0, 0, 0, 50L << 20, 83L << 20, 30, 30, 30).failures())
        .containsExactly("the heap after GC grew from 50.0 MiB to 83.0 MiB (allowed: 32.0 MiB"
            + " more)");
    assertThat(measures(1000, 1000, 0, 0, 0, 50L << 20, 50L << 20, 30, 35, 35).failures())
        .containsExactly("the thread count grew from 30 to 35",
            "the thread count reached 35 (baseline 30)");
    assertThat(measures(1000, 1000, 0, 0, 0, 50L << 20, 50L << 20, 30, 30, 40).failures())
        .containsExactly("the thread count reached 40 (baseline 30)");
  }

  @Test
  void soak_minutesAndSeconds_usageErrorExit2() {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Mbt.run(new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true),
        "soak", "--minutes", "1", "--seconds", "30");

    assertThat(code).isEqualTo(Exit.USAGE);
    assertThat(err.toString()).isEqualTo("mbt soak: give --minutes or --seconds, not both"
        + System.lineSeparator());
  }
}
