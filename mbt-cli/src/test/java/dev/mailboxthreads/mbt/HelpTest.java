package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.mbt.ConsumeProduceTest.EXIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** --help on every command, --version, and mbt with no command. */
class HelpTest {

  /** In-process: help is only text, no sockets, so this needs no extra JVM per command. */
  @ParameterizedTest
  @ValueSource(strings = {"demo", "consume", "produce", "ping", "bench", "soak"})
  void help_ofEveryCommand_printsUsageAndExitCodesToStdoutAndExits0(String command) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Mbt.run(new PrintWriter(out, true), new PrintWriter(err, true), command, "--help");
    assertThat(code).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).startsWith("Usage: mbt " + command).contains("Exit codes:");
  }

  @Test
  void noCommand_printsTheHelpWithEveryExitCodeAndExits0() {
    StringWriter out = new StringWriter();
    int code = Mbt.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
    assertThat(code).isZero();
    assertThat(out.toString()).startsWith("Usage: mbt ")
        .contains("demo", "consume", "produce", "ping", "bench", "soak")
        .doesNotContain("demo-producer")
        .contains("  0   success", "  2   usage", "  4   cannot publish",
            "  5   peer not reachable", "  6   a check failed", "130   stopped with Ctrl-C");
  }

  /** As a process: what the launcher runs, with the version from the build. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void version_printsOneLineAndExits0() throws Exception {
    Result r = MbtProcess.run(EXIT, "--version");
    assertThat(r.stdout()).hasSize(1);
    assertThat(r.stdout().get(0)).matches("mbt \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(mailbox-threads"
        + " for Java\\) on Java .*");
    assertThat(r.stderr()).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  /** Without the benchmarks jar (as here, and from the bare mbt.jar): says what to do, exit 2. */
  @ParameterizedTest
  @ValueSource(strings = {"--quick", "--suite"})
  void bench_withoutTheBenchmarksJar_namesTheMissingHarnessAndExits2(String option) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = option.equals("--suite") ? new String[] {"bench", "--suite", "smoke"}
        : new String[] {"bench", "--quick"};
    int code = Mbt.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(option.equals("--suite") ? "benchmarks.suite.Suite" : "remote.RemoteBench")
        .contains("./mbt bench");
  }
}
