package dev.mailboxthreads.remote.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Graceful close: a producer JVM sends 1,000,000 messages from one thread, closes its {@code
 * RemoteThread} (linger 30 s), closes its context and exits; every message arrives, once, in
 * order, and nothing is discarded.
 *
 * <p>What {@code close()} guarantees: when it returns, every message sent before it has been
 * handed to ZeroMQ ({@code sent} = messages sent, {@code queued} = 0); ZeroMQ delivers them in
 * the background for the linger, as long as the context is open, and {@code RemoteContext.close}
 * waits for that. So a process must close its context before it exits. Halting the JVM right
 * after {@code RemoteThread.close()} (the producer's {@code halt} ending) delivered all 1,000,000
 * on the development host too, but only because loopback and the consumer kept ZeroMQ's queue
 * empty; that is not guaranteed, so no test relies on it (docs/reliability.md).
 */
class GracefulCloseTest {
  private static final int COUNT = 1_000_000;
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final Duration RUN = Duration.ofSeconds(90);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"context"})
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void close_afterAMillionMessages_everyMessageArrivesInOrder(String ending) throws Exception {
    try (ChildJvm consumer = ChildJvm.start("checking-consumer", CheckingConsumer.class,
        "1", String.valueOf(COUNT))) {
      String endpoint = consumer.awaitLine(l -> l.startsWith("READY "), STARTUP).substring(6);
      try (ChildJvm producer = ChildJvm.start("close-producer", GracefulCloseProducer.class,
          endpoint, String.valueOf(COUNT), ending)) {
        String sent = producer.awaitLine(l -> l.startsWith("SENT "), RUN);
        String closed = producer.awaitLine(l -> l.startsWith("CLOSED "), RUN);
        assertThat(producer.awaitExit(RUN)).as("producer exit code").isZero();
        String verdict = consumer.awaitLine(
            l -> l.startsWith("OK ") || l.startsWith("VIOLATION "), RUN);
        System.out.printf("graceful close (%s): producer [%s] [%s], consumer [%s]%n",
            ending, sent, closed, verdict);
        assertThat(verdict).as("consumer verdict").startsWith("OK " + COUNT + " ");
        assertThat(closed).as("nothing discarded at close").contains("discarded=0");
      }
      consumer.closeStdin();
      assertThat(consumer.awaitLine(l -> l.startsWith("FINAL "), RUN))
          .isEqualTo("FINAL delivered=" + COUNT + " dropped=0 leftover=0");
      assertThat(consumer.awaitExit(RUN)).as("consumer exit code").isZero();
    }
  }
}
