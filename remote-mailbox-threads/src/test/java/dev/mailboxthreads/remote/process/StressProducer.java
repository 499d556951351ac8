package dev.mailboxthreads.remote.process;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The sending JVM of the stress test: SENDERS threads send PER_SENDER messages {@code
 * "SENDER:SEQ"} each through one shared {@link RemoteThread}, then the connection and context
 * are closed, which hands everything to the receiver (linger 30 s, so a slow receiver still
 * gets it all).
 *
 * <p>Arguments: endpoint, senders, messages per sender, {@code platform} or {@code virtual}.
 * Prints {@code SENT <count> <millis> <stats>} when every send returned, {@code CLOSED
 * <millis> <stats>} when the context is closed, and exits 0; on a failed send, prints {@code
 * FAILED <exception>} and exits 1.
 */
public final class StressProducer {
  private StressProducer() {}

  /**
   * Runs the producer.
   *
   * @param args endpoint, senders, messages per sender, thread kind
   * @throws InterruptedException if interrupted while waiting for the senders
   */
  public static void main(String[] args) throws InterruptedException {
    ParentLink.haltWhenParentGone();
    String endpoint = args[0];
    int senders = Integer.parseInt(args[1]);
    int perSender = Integer.parseInt(args[2]);
    ThreadFactory factory = switch (args[3]) {
      case "platform" -> Thread.ofPlatform().name("sender-", 0).factory();
      case "virtual" -> Thread.ofVirtual().name("sender-", 0).factory();
      default -> throw new IllegalArgumentException("thread kind: " + args[3]);
    };
    long t0 = System.nanoTime();
    RemoteContext context = RemoteContext.create();
    try {
      RemoteThread remote = context.connect(
          ConnectOptions.defaults().withLinger(Duration.ofSeconds(30)), endpoint);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      try (ExecutorService executor = Executors.newThreadPerTaskExecutor(factory)) {
        for (int i = 0; i < senders; i++) {
          String prefix = i + ":";
          futures.add(executor.submit(() -> {
            go.await();
            for (int seq = 0; seq < perSender; seq++) {
              remote.send(prefix + seq);
            }
            return null;
          }));
        }
        t0 = System.nanoTime();
        go.countDown();
        for (Future<?> f : futures) {
          f.get();
        }
      } catch (ExecutionException e) {
        ParentLink.say("FAILED " + e.getCause());
        e.getCause().printStackTrace();
        System.exit(1);
      }
      ParentLink.say("SENT " + (long) senders * perSender + " " + millisSince(t0) + " "
          + remote.stats());
      remote.close();
    } finally {
      context.close();
    }
    ParentLink.say("CLOSED " + millisSince(t0));
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
