package dev.mailboxthreads.remote.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;

/**
 * One fresh {@link OneShotProducer} JVM sending one message to a {@link LocalConsumer}, and what
 * it took. Times are wall-clock ({@code System.currentTimeMillis()}) of the same machine, read in
 * the test JVM and in the producer.
 *
 * @param label what was sent
 * @param spawnToConnectMillis from starting the process to its {@code connect} call: JVM start
 *     and class loading of the main class
 * @param connectToDeliveredMillis from just before {@code connect} in the producer to the
 *     consumer's {@code receive} returning: the cold start of the library
 * @param exitMillis from starting the process to its exit (close lingers until delivered)
 * @param times the producer's own {@code TIMES} line: how long connect, the first send and close
 *     took in it
 */
record OneShotRun(String label, long spawnToConnectMillis, long connectToDeliveredMillis,
    long exitMillis, String times) {
  private static final Duration DELIVERY = Duration.ofSeconds(30);
  private static final Duration AFTER_EXIT = Duration.ofSeconds(5);
  private static final Duration SLICE = Duration.ofMillis(200);
  private static final Duration EXIT = Duration.ofSeconds(30);

  /**
   * Starts a producer JVM that sends {@code label} to {@code endpoint}, and waits until the
   * consumer has it and the producer has exited 0. Fails early, with the producer's output, if
   * it exits without the message arriving.
   */
  static OneShotRun run(LocalConsumer consumer, String endpoint, String label)
      throws InterruptedException {
    return run(consumer, endpoint, label, "default");
  }

  /**
   * Like {@link #run(LocalConsumer, String, String)}, with the producer's codec: {@code default}
   * or {@code utf8} ({@link Utf8Codec}).
   */
  static OneShotRun run(LocalConsumer consumer, String endpoint, String label, String codec)
      throws InterruptedException {
    long spawnEpochMillis = System.currentTimeMillis();
    try (ChildJvm producer = ChildJvm.start("producer-" + label, OneShotProducer.class,
        endpoint, label, codec)) {
      long deadline = System.nanoTime() + DELIVERY.toNanos();
      Optional<LocalConsumer.Arrival> arrival = Optional.empty();
      while (arrival.isEmpty() && System.nanoTime() - deadline < 0) {
        boolean exited = !producer.isAlive();
        // after the producer's exit its message may still be on its way: one last, longer wait
        arrival = consumer.poll(m -> m.startsWith(label + "@"), exited ? AFTER_EXIT : SLICE);
        if (exited) {
          break;
        }
      }
      if (arrival.isEmpty()) {
        throw new AssertionError("message " + label + " not delivered; consumer got "
            + consumer.skipped() + "; producer:\n" + producer.describe());
      }
      String message = arrival.get().message();
      long connectEpochMillis = Long.parseLong(message.substring(message.indexOf('@') + 1));
      String times = producer.awaitLine(l -> l.startsWith("TIMES "), EXIT).substring(6);
      assertThat(producer.awaitExit(EXIT)).as(label + " producer exit code").isZero();
      return new OneShotRun(label, connectEpochMillis - spawnEpochMillis,
          arrival.get().epochMillis() - connectEpochMillis, producer.ageMillis(), times);
    }
  }

  @Override
  public String toString() {
    return String.format("%-15s spawn->connect %5d ms | connect->delivered %5d ms | exit %5d ms"
        + " | %s", label, spawnToConnectMillis, connectToDeliveredMillis, exitMillis, times);
  }
}
