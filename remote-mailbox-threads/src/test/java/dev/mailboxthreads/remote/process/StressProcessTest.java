package dev.mailboxthreads.remote.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many threads of one JVM send through ONE {@code RemoteThread} to a thread published in another
 * JVM. The receiving JVM ({@link CheckingConsumer}) checks that each sender's messages arrive in
 * the order sent, with nothing lost and nothing duplicated; the sending JVM ({@link
 * StressProducer}) closes its connection right after the last send, so close must hand over
 * everything still queued.
 */
class StressProcessTest {
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final Duration RUN = Duration.ofSeconds(60);
  private static final Duration EXIT = Duration.ofSeconds(30);

  /** 16 platform threads x 50,000 messages: the sender-side queue, the socket and the mailbox. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void send_16PlatformSendersThroughOneRemoteThread_eachSenderInOrderNoneLostNoneDuplicated()
      throws Exception {
    run(16, 50_000, "platform");
  }

  /** 1,000 virtual threads x 200 messages: many senders contending for one connection. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void send_1000VirtualSendersThroughOneRemoteThread_eachSenderInOrderNoneLostNoneDuplicated()
      throws Exception {
    run(1_000, 200, "virtual");
  }

  private static void run(int senders, int perSender, String kind) throws Exception {
    long total = (long) senders * perSender;
    try (ChildJvm consumer = ChildJvm.start("checking-consumer", CheckingConsumer.class,
        String.valueOf(senders), String.valueOf(perSender))) {
      String endpoint = consumer.awaitLine(l -> l.startsWith("READY "), STARTUP).substring(6);
      String sent;
      String closed;
      try (ChildJvm producer = ChildJvm.start("stress-producer", StressProducer.class, endpoint,
          String.valueOf(senders), String.valueOf(perSender), kind)) {
        String verdict =
            consumer.awaitLine(l -> l.startsWith("OK ") || l.startsWith("VIOLATION "), RUN);
        assertThat(verdict).as("consumer verdict").startsWith("OK " + total + " ");
        sent = producer.awaitLine(l -> l.startsWith("SENT "), EXIT);
        closed = producer.awaitLine(l -> l.startsWith("CLOSED "), EXIT);
        assertThat(producer.awaitExit(EXIT)).as("producer exit code").isZero();
        System.out.printf("stress %d %s senders x %d: consumer [%s], producer [%s] [%s]%n",
            senders, kind, perSender, verdict, sent, closed);
      }
      consumer.closeStdin();
      assertThat(consumer.awaitLine(l -> l.startsWith("FINAL "), EXIT))
          .as("after the producer closed: nothing more delivered, dropped, or left unread")
          .isEqualTo("FINAL delivered=" + total + " dropped=0 leftover=0");
      assertThat(consumer.awaitExit(EXIT)).as("consumer exit code").isZero();
    }
  }
}
