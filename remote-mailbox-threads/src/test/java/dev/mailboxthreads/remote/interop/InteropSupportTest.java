package dev.mailboxthreads.remote.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;

/**
 * The interop tests never pass silently without their Python peer: under {@code CI=true} a
 * missing pyzmq or msgpack fails them, elsewhere it skips them, saying what to install.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteropSupportTest {

  @Test
  void require_problemUnderCi_failsSayingWhatToInstall() {
    assertThatThrownBy(() -> InteropSupport.require("/usr/bin/python3 does not exist", true))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CI=true and /usr/bin/python3 does not exist")
        .hasMessageContaining("apt-get install python3-zmq python3-msgpack");
  }

  @Test
  void require_problemOutsideCi_skipsSayingWhatToInstall() {
    assertThatThrownBy(() -> InteropSupport.require("/usr/bin/python3 does not exist", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("skipped: /usr/bin/python3 does not exist")
        .hasMessageContaining("apt-get install python3-zmq python3-msgpack");
  }

  @Test
  void require_noProblem_passesEitherWay() {
    InteropSupport.require(null, true);
    InteropSupport.require(null, false);
  }

  @Test
  void checkPython_missingInterpreter_saysSo() {
    assertThat(InteropSupport.checkPython("/nonexistent/python3"))
        .isEqualTo("/nonexistent/python3 does not exist");
  }

  @Test
  void checkPython_interpreterWithoutTheModules_saysItCannotImportThem() {
    // /bin/sh runs "-c import zmq, msgpack" and fails: the same exit as a Python without them
    assertThat(InteropSupport.checkPython("/bin/sh"))
        .startsWith("/bin/sh cannot import zmq and msgpack");
  }
}
