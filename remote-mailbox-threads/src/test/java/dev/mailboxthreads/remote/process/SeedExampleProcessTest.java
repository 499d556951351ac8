package dev.mailboxthreads.remote.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The example of the seed (remote-mailbox-threads' documentation), as two real JVMs. */
class SeedExampleProcessTest {
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final Duration DELIVERY = Duration.ofSeconds(20);
  private static final Duration EXIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /**
   * The consumer JVM publishes its main thread on a tcp and an ipc endpoint; the producer JVM
   * connects to each separately (two remote threads, one published thread), sends {@code carrot}
   * through tcp and {@code egg} through ipc, closes both connections and exits; closing delivers
   * for up to the linger, so both messages arrive although the producer leaves at once.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void seedExample_producerJvmSendsThroughTcpAndIpc_consumerJvmNomsBoth() throws Exception {
    String ipc = "ipc://" + dir.resolve("nomnom");
    try (ChildJvm consumer =
        ChildJvm.start("consumer", NomNomConsumer.class, "tcp://127.0.0.1:*", ipc)) {
      List<String> endpoints =
          List.of(consumer.awaitLine(l -> l.startsWith("READY "), STARTUP).substring(6).split(" "));
      assertThat(endpoints).hasSize(2);
      assertThat(endpoints.get(0)).matches("tcp://127\\.0\\.0\\.1:\\d+");
      assertThat(endpoints.get(1)).isEqualTo(ipc);
      consumer.awaitLine("waiting for things to consume"::equals, STARTUP);

      try (ChildJvm producer = ChildJvm.start(
          "producer", NomNomProducer.class, endpoints.get(0), endpoints.get(1))) {
        assertThat(consumer.awaitLines(l -> l.startsWith("nom nom nom:"), 2, DELIVERY))
            .containsExactlyInAnyOrder("nom nom nom:carrot", "nom nom nom:egg");
        producer.awaitLine(l -> l.startsWith("SENT "), EXIT);
        assertThat(producer.awaitExit(EXIT)).as("producer exit code").isZero();
      }

      consumer.closeStdin();
      assertThat(consumer.awaitLine(l -> l.startsWith("BYE "), EXIT)).contains("delivered=2");
      assertThat(consumer.awaitExit(EXIT)).as("consumer exit code").isZero();
      assertThat(consumer.lines()).filteredOn(l -> l.startsWith("nom nom nom:")).hasSize(2);
      assertThat(dir.resolve("nomnom")).as("socket file removed at close").doesNotExist();
    }
  }
}
