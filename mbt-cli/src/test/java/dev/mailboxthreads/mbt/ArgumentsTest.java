package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Endpoints and durations as typed on the command line. */
class ArgumentsTest {

  @Test
  void endpoint_tcpAndIpc_areParsed() {
    Endpoint tcp = Endpoint.parse("TCP://127.0.0.1:5555", false);
    assertThat(tcp.text()).isEqualTo("tcp://127.0.0.1:5555");
    assertThat(tcp.host()).isEqualTo("127.0.0.1");
    assertThat(tcp.port()).isEqualTo(5555);
    assertThat(Endpoint.parse("tcp://[::1]:7", false).host()).isEqualTo("::1");
    assertThat(Endpoint.parse("tcp://*:*", true).port()).isZero();
    assertThat(Endpoint.parse("ipc:///tmp/x", false).path()).isEqualTo(Path.of("/tmp/x"));
  }

  @Test
  void endpoint_wildcardsToConnectTo_areUsageErrors() {
    assertThatThrownBy(() -> Endpoint.parse("tcp://127.0.0.1:*", false))
        .isInstanceOf(Failure.class).hasMessageContaining("give the port that 'mbt consume'");
    assertThatThrownBy(() -> Endpoint.parse("tcp://*:5555", false))
        .hasMessageContaining("can be published on, not connected to");
  }

  @Test
  void endpoint_badForms_areUsageErrorsNamingTheEndpoint() {
    assertThatThrownBy(() -> Endpoint.parse("127.0.0.1:5555", true))
        .hasMessageContaining("'127.0.0.1:5555': it has no transport");
    assertThatThrownBy(() -> Endpoint.parse("tcp://h:0", true))
        .hasMessageContaining("port 0 is outside 1..65535");
    assertThatThrownBy(() -> Endpoint.parse("tcp://h:x", true))
        .hasMessageContaining("port 'x' is not a number");
    assertThatThrownBy(() -> Endpoint.parse("inproc://a", true))
        .hasMessageContaining("inproc:// reaches only threads of the same process");
    assertThatThrownBy(() -> Endpoint.parse("ipc://", true)).hasMessageContaining("no path");
  }

  @Test
  void durations_asPeopleTypeThem() {
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("10")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessage("'soon' is not a duration; write e.g. 10s, 500ms or 2m");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Durations.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }
}
