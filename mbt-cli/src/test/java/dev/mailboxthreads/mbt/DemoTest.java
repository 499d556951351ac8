package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mbt demo}: the seed's example with three real processes (demo, consumer, producer). */
class DemoTest {
  private static final Duration DEMO = Duration.ofSeconds(90);

  @TempDir Path dir;

  /**
   * With no argument: the consumer publishes on a free tcp port and an ipc socket in a new
   * temporary directory, the producer sends carrot through tcp and egg through ipc, the consumer
   * noms both, everyone exits 0, and the temporary directory is gone.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void demo_noArguments_consumerNomsCarrotAndEggAndAllExit0() throws Exception {
    Result r = MbtProcess.run(DEMO, "demo");
    List<String> out = r.stdout();
    assertThat(out).as("stderr: %s", r.stderr())
        .contains("[consumer] waiting for things to consume",
            "[consumer] nom nom nom:carrot",
            "[consumer] nom nom nom:egg",
            "demo: both processes exited 0");
    assertThat(out).filteredOn(l -> l.startsWith("[producer] sent ")).hasSize(2);
    assertThat(out.get(out.size() - 1)).isEqualTo("demo: both processes exited 0");
    assertThat(r.stderr()).filteredOn(l -> !l.startsWith("[consumer] bound ")).isEmpty();
    assertThat(r.exitCode()).isZero();

    Matcher ipc = Pattern.compile("ipc://(\\S+)/nomnom").matcher(out.get(0));
    assertThat(ipc.find()).as(out.get(0)).isTrue();
    assertThat(Path.of(ipc.group(1))).as("temporary directory removed").doesNotExist();
  }

  /** The endpoints can be given. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void demo_givenIpcEndpoint_usesIt() throws Exception {
    String ipc = "ipc://" + dir.resolve("given");
    Result r = MbtProcess.run(DEMO, "demo", "--tcp", "tcp://127.0.0.1:*", "--ipc", ipc);
    assertThat(r.stdout()).as("stderr: %s", r.stderr())
        .contains("[producer] sent egg to " + ipc, "[consumer] nom nom nom:egg",
            "[consumer] nom nom nom:carrot");
    assertThat(r.exitCode()).isZero();
    assertThat(dir.resolve("given")).doesNotExist();
  }
}
