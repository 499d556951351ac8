package dev.mailboxthreads.remote.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.mailboxthreads.remote.process.ChildJvm;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * msgpack-core would call {@code sun.misc.Unsafe}, which JDK 24 and later warn about on stderr;
 * {@code MsgpackCodec} selects msgpack-core's portable buffers, so a JVM started with no flag at
 * all for it prints no warning. The control run, with msgpack-core's Unsafe buffers chosen, shows
 * that the warning would be seen.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoUnsafeWarningTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void msgpackCodec_inAFreshJvm_printsNoUnsafeWarning() throws Exception {
    try (ChildJvm child = ChildJvm.start("msgpack", UnsafeWarningProbe.class)) {
      assertThat(child.awaitLine(l -> l.startsWith("DONE "), WAIT))
          .isEqualTo("DONE {list=[1, two, 3.0]}");
      assertThat(child.awaitExit(WAIT)).isZero();
      assertThat(child.errLines()).as("stderr").noneMatch(l -> l.contains("Unsafe"));
    }
  }

  @Test
  void control_withMsgpackUnsafeBuffers_theWarningIsPrinted() throws Exception {
    assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .anyMatch(a -> a.startsWith("--sun-misc-unsafe-memory-access")),
        "this JVM sets --sun-misc-unsafe-memory-access, which its children inherit");
    assumeFalse(Runtime.version().feature() < 24, "JDK 24+ warns about Unsafe; this is "
        + Runtime.version());
    try (ChildJvm child = ChildJvm.start("msgpack-unsafe", UnsafeWarningProbe.class, "unsafe")) {
      child.awaitLine(l -> l.startsWith("DONE "), WAIT);
      assertThat(child.awaitExit(WAIT)).isZero();
      assertThat(child.errLines()).as("stderr")
          .anyMatch(l -> l.contains("sun.misc.Unsafe") && l.contains("msgpack"));
    }
  }
}
