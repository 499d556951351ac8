package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailboxthreads.remote.process.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What the interop tests share: the Python peer ({@code src/test/python/interop_peer.py}, run by
 * {@code /usr/bin/python3} as a real process through {@link ChildJvm#startProcess}), the check
 * that Python has pyzmq and msgpack, and an exact comparison of decoded values.
 *
 * <p>Without pyzmq or msgpack, the tests fail under {@code CI=true} (CI must run them; {@code
 * .ci/run} installs both) and are skipped elsewhere, with a message that says what to install.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
final class InteropSupport {
  static final Duration WAIT = Duration.ofSeconds(20);
  /** The Python with Debian's python3-zmq and python3-msgpack; never the python3 on PATH. */
  static final String PYTHON = "/usr/bin/python3";
  /** The module directory is surefire's working directory. */
  static final Path PEER_SCRIPT = Path.of("src/test/python/interop_peer.py").toAbsolutePath();
  private static final String INSTALL =
      "apt-get install python3-zmq python3-msgpack (for " + PYTHON + "; .ci/run does it)";

  /** Null until checked; then null if usable, else why not. */
  private static volatile String pythonProblem;
  private static volatile boolean checked;

  private InteropSupport() {}

  /**
   * Makes sure {@code /usr/bin/python3} can import zmq and msgpack: fails the test under {@code
   * CI=true}, skips it otherwise.
   */
  static void requirePython() {
    if (!checked) {
      pythonProblem = checkPython(PYTHON);
      checked = true; // racy, but benign: a second check gives the same answer
    }
    require(pythonProblem, "true".equals(System.getenv("CI")));
  }

  /**
   * Passes if there is no {@code problem}; otherwise fails the test under CI, or skips it.
   *
   * @param problem what is wrong with the Python, or null
   * @param ci whether {@code CI=true}
   */
  static void require(String problem, boolean ci) {
    if (problem == null) {
      return;
    }
    if (ci) {
      fail("CI=true and " + problem + ": the interop tests need it; " + INSTALL);
    }
    Assumptions.abort("skipped: " + problem + "; to run the interop tests, " + INSTALL);
  }

  /**
   * Checks that {@code python} runs and imports zmq and msgpack.
   *
   * @return null if it does, else what is wrong
   */
  static String checkPython(String python) {
    if (!Files.isExecutable(Path.of(python))) {
      return python + " does not exist";
    }
    try {
      Process p = new ProcessBuilder(python, "-c", "import zmq, msgpack")
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return python + " did not answer within 30 s";
      }
      if (p.exitValue() != 0) {
        return python + " cannot import zmq and msgpack ("
            + new String(output, StandardCharsets.UTF_8).strip() + ")";
      }
      return null;
    } catch (IOException e) {
      return python + " cannot be started: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while checking " + python;
    }
  }

  /** Starts the Python peer: {@code interop_peer.py MODE ENDPOINT ARGS...}. Close it. */
  static ChildJvm peer(String mode, String endpoint, String... args) {
    assertThat(PEER_SCRIPT).as("the Python peer script").isRegularFile();
    List<String> command = new ArrayList<>(List.of(PYTHON, "-u", PEER_SCRIPT.toString(), mode,
        endpoint));
    command.addAll(List.of(args));
    return ChildJvm.startProcess("python-" + mode, command);
  }

  /** Runs a Python program given as text, with arguments. Close it. */
  static ChildJvm python(String name, Path script, String... args) {
    List<String> command = new ArrayList<>(List.of(PYTHON, "-u", script.toString()));
    command.addAll(List.of(args));
    return ChildJvm.startProcess(name, command);
  }

  /** Waits for the peer's {@code READY <endpoint>} line. */
  static String awaitReady(ChildJvm peer) throws InterruptedException {
    return peer.awaitLine(l -> l.startsWith("READY "), WAIT).substring("READY ".length());
  }

  /** Takes every message left in this thread's mailbox by an earlier test. */
  static void drainMailbox() {
    Object none = new Object();
    for (int i = 0; i < 1_000_000 && receive(Duration.ZERO, none) != none; i++) {
      // dropped
    }
  }

  /** True if {@code path} is a Unix socket file (S_IFSOCK). */
  static boolean isSocket(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    return (mode & 0170000) == 0140000;
  }

  /**
   * Asserts that a decoded value is exactly {@code expected}: the same classes (a {@code Long} is
   * not an {@code Integer}), lists as {@code ArrayList}, maps as {@code LinkedHashMap} with the
   * same keys in the same order, byte arrays by content.
   */
  static void assertDecoded(Object actual, Object expected) {
    assertDecoded(actual, expected, "$");
  }

  private static void assertDecoded(Object actual, Object expected, String path) {
    if (expected == null) {
      assertThat(actual).as(path).isNull();
      return;
    }
    assertThat(actual).as(path).isNotNull();
    switch (expected) {
      case byte[] bytes -> {
        assertThat(actual).as(path).isInstanceOf(byte[].class);
        assertThat((byte[]) actual).as(path).containsExactly(bytes);
      }
      case List<?> list -> {
        assertThat(actual).as(path + " is an ArrayList").isExactlyInstanceOf(ArrayList.class);
        List<?> got = (List<?>) actual;
        assertThat(got).as(path + " size").hasSize(list.size());
        for (int i = 0; i < list.size(); i++) {
          assertDecoded(got.get(i), list.get(i), path + "[" + i + "]");
        }
      }
      case Map<?, ?> map -> {
        assertThat(actual).as(path + " is a LinkedHashMap")
            .isExactlyInstanceOf(LinkedHashMap.class);
        Map<?, ?> got = (Map<?, ?>) actual;
        List<Object> gotKeys = new ArrayList<>(got.keySet());
        List<Object> wantKeys = new ArrayList<>(map.keySet());
        assertThat(gotKeys).as(path + " keys, in order")
            .usingElementComparator((a, b) -> a.getClass() == b.getClass() && a.equals(b) ? 0 : 1)
            .containsExactlyElementsOf(wantKeys);
        Iterator<?> values = got.values().iterator();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          assertDecoded(values.next(), e.getValue(), path + "[" + e.getKey() + "]");
        }
      }
      default -> {
        assertThat(actual).as(path + " class").isExactlyInstanceOf(expected.getClass());
        assertThat(actual).as(path).isEqualTo(expected);
      }
    }
  }

  /** A list that may hold null, for expected values. */
  static List<Object> listOf(Object... values) {
    return Arrays.asList(values);
  }

  /** An insertion-ordered map from alternating keys and values, for expected values. */
  static Map<Object, Object> mapOf(Object... keysAndValues) {
    Map<Object, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
