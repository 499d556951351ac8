package dev.mailboxthreads.remote.process;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The sending JVM of the graceful-close test: one thread sends COUNT messages {@code "0:SEQ"}
 * as fast as it can, then calls {@link RemoteThread#close()} (linger 30 s), then ends in one of
 * two ways: {@code context} closes the context and returns from main; {@code halt} halts the JVM
 * the moment {@code close()} has returned, with no context close and no shutdown hook, so only
 * what {@code close()} itself did counts.
 *
 * <p>Arguments: endpoint, count, {@code context} or {@code halt}. Prints {@code SENT <millis>
 * <stats>}, {@code CLOSED <millis of close()> <stats>}, and exits 0.
 */
public final class GracefulCloseProducer {
  private GracefulCloseProducer() {}

  /**
   * Runs the producer.
   *
   * @param args endpoint, count, ending
   */
  public static void main(String[] args) {
    ParentLink.haltWhenParentGone();
    String endpoint = args[0];
    int count = Integer.parseInt(args[1]);
    boolean halt = switch (args[2]) {
      case "halt" -> true;
      case "context" -> false;
      default -> throw new IllegalArgumentException("ending: " + args[2]);
    };
    RemoteContext context = RemoteContext.create();
    RemoteThread remote = context.connect(
        ConnectOptions.defaults().withLinger(Duration.ofSeconds(30)), endpoint);
    long t0 = System.nanoTime();
    for (int seq = 0; seq < count; seq++) {
      remote.send("0:" + seq);
    }
    ParentLink.say("SENT " + millisSince(t0) + " " + remote.stats());
    long t1 = System.nanoTime();
    remote.close();
    ParentLink.say("CLOSED " + millisSince(t1) + " " + remote.stats());
    if (halt) {
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
    context.close();
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
