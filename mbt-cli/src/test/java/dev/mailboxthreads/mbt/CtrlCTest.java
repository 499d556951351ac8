package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.mbt.ConsumeProduceTest.EXIT;
import static dev.mailboxthreads.mbt.ConsumeProduceTest.STARTUP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT): a clean stop, exit 130, no stack trace, sockets and files closed. */
class CtrlCTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void consume_sigint_exits130WithNothingPrintedAndSocketFileRemoved() throws Exception {
    String ipc = "ipc://" + dir.resolve("nomnom");
    try (MbtProcess consumer = MbtProcess.start("consume", "tcp://127.0.0.1:*", ipc)) {
      consumer.awaitBound(2, STARTUP);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);
      assumeFalse(ignoresSigint(consumer.pid()),
          "this test JVM was started with SIGINT ignored (a background job), and so is mbt");
      assertThat(dir.resolve("nomnom")).exists();

      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(consumer.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();

      assertThat(consumer.awaitExit(EXIT)).isEqualTo(Exit.INTERRUPTED);
      assertThat(consumer.stdout()).containsExactly("waiting for things to consume");
      assertThat(consumer.stderr()).allMatch(l -> l.startsWith("bound "));
      assertThat(dir.resolve("nomnom")).as("socket file removed").doesNotExist();
    }
  }

  /** Whether SIGINT (signal 2) is ignored by the process, from /proc/PID/status. */
  private static boolean ignoresSigint(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0;
      }
    }
    return false;
  }
}
