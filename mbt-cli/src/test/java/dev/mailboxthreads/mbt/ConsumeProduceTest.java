package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.mbt.MbtProcess.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code mbt consume} driven by {@code mbt produce}, as a person runs them. */
class ConsumeProduceTest {
  static final Duration STARTUP = Duration.ofSeconds(30);
  static final Duration EXIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  /**
   * A consumer on a tcp port chosen for it and an ipc socket; two producers, one with strings
   * (one of them not ASCII) to the tcp endpoint, one with JSON to both endpoints (round-robin).
   * The consumer prints exactly one line per message, in order, and exits 0 after --count, with
   * its socket file removed.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void consume_producedStringsAndJson_printsOneNomLinePerMessageThenCountExits0()
      throws Exception {
    String ipc = "ipc://" + dir.resolve("nomnom");
    try (MbtProcess consumer =
        MbtProcess.start("consume", "--count", "5", "tcp://127.0.0.1:*", ipc)) {
      List<String> bound = consumer.awaitBound(2, STARTUP);
      assertThat(bound.get(0)).matches("tcp://127\\.0\\.0\\.1:\\d+");
      assertThat(bound.get(1)).isEqualTo(ipc);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);

      Result strings = MbtProcess.run(EXIT, "produce", bound.get(0), "--", "carrot", "café");
      assertThat(strings.stderr()).isEmpty();
      assertThat(strings.stdout()).containsExactly("sent 2 messages to " + bound.get(0));
      assertThat(strings.exitCode()).isZero();
      consumer.awaitStdout("nom nom nom:café"::equals, EXIT);

      Result json = MbtProcess.run(EXIT, "produce", "--json", bound.get(0), ipc, "--",
          "{\"kind\":\"egg\",\"sizes\":[1.5,2],\"fresh\":true}", "[]", "\"quoted\"");
      assertThat(json.stderr()).isEmpty();
      assertThat(json.stdout())
          .containsExactly("sent 3 messages to " + bound.get(0) + " " + ipc);
      assertThat(json.exitCode()).isZero();

      assertThat(consumer.awaitExit(EXIT)).as("consumer exit code").isZero();
      List<String> lines = consumer.stdout();
      assertThat(lines).hasSize(6);
      assertThat(lines.subList(0, 3)).containsExactly(
          "waiting for things to consume", "nom nom nom:carrot", "nom nom nom:café");
      // round-robin over two connections: no order between them
      assertThat(lines.subList(3, 6)).containsExactlyInAnyOrder(
          "nom nom nom:{\"kind\":\"egg\",\"sizes\":[1.5,2],\"fresh\":true}",
          "nom nom nom:[]",
          "nom nom nom:quoted");
      assertThat(consumer.stderr()).containsExactly("bound " + bound.get(0), "bound " + ipc);
      assertThat(dir.resolve("nomnom")).as("socket file removed at exit").doesNotExist();
    }
  }

  /**
   * {@code --codec msgpack} on both ends: strings and JSON travel as MessagePack values and print
   * as with the default codec; {@code --echo} with it is refused (pings speak the java codec).
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void codecMsgpack_bothEnds_sameLines_echoRefused() throws Exception {
    try (MbtProcess consumer = MbtProcess.start(
        "consume", "--codec", "msgpack", "--count", "2", "tcp://127.0.0.1:*")) {
      String live = consumer.awaitBound(1, STARTUP).get(0);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);

      Result r = MbtProcess.run(EXIT, "produce", "--codec", "msgpack", "--json", live, "--",
          "\"carrot\"", "{\"kind\":\"egg\",\"sizes\":[1.5,2],\"fresh\":true}");
      assertThat(r.stderr()).isEmpty();
      assertThat(r.exitCode()).isZero();

      assertThat(consumer.awaitExit(EXIT)).isZero();
      assertThat(consumer.stdout()).containsExactly("waiting for things to consume",
          "nom nom nom:carrot", "nom nom nom:{\"kind\":\"egg\",\"sizes\":[1.5,2],\"fresh\":true}");
    }
    Result echo = MbtProcess.run(EXIT, "consume", "--codec", "msgpack", "--echo",
        "tcp://127.0.0.1:*");
    assertThat(echo.exitCode()).isEqualTo(2);
    assertThat(echo.stderr()).anySatisfy(l -> assertThat(l).contains("--echo answers mbt ping"));
  }

  /**
   * With one endpoint where nobody listens among live ones, produce warns about it, sends to the
   * live one only, and exits 0.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void produce_oneEndpointDeadOneAlive_warnsAndSendsToTheLiveOne() throws Exception {
    String dead = "ipc://" + dir.resolve("nobody");
    try (MbtProcess consumer = MbtProcess.start("consume", "--count", "1", "tcp://127.0.0.1:*")) {
      String live = consumer.awaitBound(1, STARTUP).get(0);
      consumer.awaitStdout("waiting for things to consume"::equals, STARTUP);

      Result r = MbtProcess.run(EXIT, "produce", "--timeout", "1s", dead, live, "--", "egg");
      assertThat(r.stderr()).containsExactly("mbt: warning: skipping " + dead + ": nobody is"
          + " listening there (no socket file at " + dir.resolve("nobody") + ") within 1s");
      assertThat(r.stdout()).containsExactly("sent 1 message to " + live);
      assertThat(r.exitCode()).isZero();
      assertThat(consumer.awaitExit(EXIT)).isZero();
      assertThat(consumer.stdout()).contains("nom nom nom:egg");
    }
  }
}
