package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.mbt.ConsumeProduceTest.EXIT;
import static dev.mailboxthreads.mbt.ConsumeProduceTest.STARTUP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each error a person meets first: one line on stderr that names the command, what is wrong and
 * what to do, nothing on stdout, and the documented exit code.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ErrorsTest {

  @Test
  void consume_malformedEndpoint_exits2WithOneLine() throws Exception {
    Result r = MbtProcess.run(EXIT, "consume", "tcp://nohost");
    assertThat(r.stderr()).containsExactly("mbt consume: malformed endpoint 'tcp://nohost': a tcp"
        + " endpoint needs HOST:PORT; expected tcp://HOST:PORT or ipc:///path/to/socket");
    assertThat(r.stdout()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void produce_unsupportedTransport_exits2WithOneLine() throws Exception {
    Result r = MbtProcess.run(EXIT, "produce", "udp://127.0.0.1:5555", "--", "x");
    assertThat(r.stderr()).containsExactly("mbt produce: 'udp://127.0.0.1:5555': unsupported"
        + " transport 'udp'; use tcp://HOST:PORT or ipc:///path/to/socket");
    assertThat(r.stdout()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void consume_addressInUse_exits4AndSaysToPickAnotherPort() throws Exception {
    try (MbtProcess first = MbtProcess.start("consume", "tcp://127.0.0.1:*")) {
      String endpoint = first.awaitBound(1, STARTUP).get(0);
      Result second = MbtProcess.run(EXIT, "consume", endpoint);
      assertThat(second.stderr()).containsExactly("mbt consume: cannot publish on '" + endpoint
          + "': the address is in use (another process or publication is bound there); pick"
          + " another port or path, or use tcp://HOST:* for a free port");
      assertThat(second.stdout()).isEmpty();
      assertThat(second.exitCode()).isEqualTo(Exit.CANNOT_PUBLISH);
    }
  }

  /** Nobody listens: produce gives up after --timeout, not the default 10 s, and says why. */
  @Test
  void produce_nobodyListening_exits5WithinTimeout() throws Exception {
    String endpoint = "tcp://127.0.0.1:" + freePort();
    long start = System.nanoTime();
    Result r = MbtProcess.run(EXIT, "produce", "--timeout", "1s", endpoint, "--", "carrot");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    assertThat(r.stderr()).containsExactly("mbt produce: nobody is listening at " + endpoint
        + " (connection refused) within 1s: start 'mbt consume " + endpoint + "' there, or"
        + " check the endpoint");
    assertThat(r.stdout()).isEmpty();
    assertThat(r.exitCode()).isEqualTo(Exit.UNREACHABLE);
  }

  @Test
  void ping_nobodyListening_exits5() throws Exception {
    String endpoint = "tcp://127.0.0.1:" + freePort();
    Result r = MbtProcess.run(EXIT, "ping", "--timeout", "1s", endpoint);
    assertThat(r.stderr()).containsExactly("mbt ping: nobody is listening at " + endpoint
        + " (connection refused) within 1s: start 'mbt consume --echo " + endpoint + "' there,"
        + " or check the endpoint");
    assertThat(r.exitCode()).isEqualTo(Exit.UNREACHABLE);
  }

  @Test
  void produce_jsonNull_exits2AndNamesWhere() throws Exception {
    Result r = MbtProcess.run(
        EXIT, "produce", "--json", "tcp://127.0.0.1:5555", "--", "{\"a\":[1,null]}");
    assertThat(r.stderr()).containsExactly("mbt produce: --json: '{\"a\":[1,null]}' is not a"
        + " JSON value we can send: null at /a/1: messages and their parts cannot be null;"
        + " leave the member out, or send \"null\" as a string");
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void produce_withoutDashDash_exits2AndShowsTheForm() throws Exception {
    Result r = MbtProcess.run(EXIT, "produce", "tcp://127.0.0.1:5555", "carrot");
    assertThat(r.stderr()).containsExactly(
        "mbt produce: put the messages after '--': mbt produce ENDPOINT... -- MESSAGE...");
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void unknownCommand_exits2AndSuggestsTheNearest() throws Exception {
    Result r = MbtProcess.run(EXIT, "consum", "tcp://127.0.0.1:5555");
    assertThat(r.stderr()).hasSize(1);
    assertThat(r.stderr().get(0)).startsWith("mbt: Unmatched argument").contains("'consum'")
        .contains("did you mean 'consume'?").endsWith("(see 'mbt --help')");
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  @Test
  void badDuration_exits2() throws Exception {
    Result r = MbtProcess.run(EXIT, "ping", "--timeout", "soon", "tcp://127.0.0.1:5555");
    assertThat(r.stderr()).containsExactly("mbt ping: Invalid value for option '--timeout':"
        + " 'soon' is not a duration; write e.g. 10s, 500ms or 2m (see 'mbt ping --help')");
    assertThat(r.exitCode()).isEqualTo(Exit.USAGE);
  }

  /** A port nobody listens on now (the OS just gave it out and took it back). */
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
