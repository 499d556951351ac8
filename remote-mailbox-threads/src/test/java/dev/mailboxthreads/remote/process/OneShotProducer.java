package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.RemoteMailboxThreads.connect;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A fresh JVM that does what a short-lived tool does: connect (default context), send one
 * message, close, exit. The message is {@code TEXT@CONNECT_EPOCH_MILLIS}: the wall-clock time
 * just before {@code connect}, so the receiver can compute connect-to-delivery across processes
 * (both read the same system clock).
 *
 * <p>Arguments: endpoint, text, and optionally {@code utf8} to send with {@link Utf8Codec}
 * instead of the default codec (whose class is then never initialized). Prints {@code TIMES
 * connectMs=.. sendMs=.. closeMs=.. <stats>} and exits 0; the default context's shutdown hook
 * waits, up to the linger, until the message is delivered.
 */
public final class OneShotProducer {
  private OneShotProducer() {}

  /**
   * Runs the producer.
   *
   * @param args endpoint, text, optionally {@code utf8}
   */
  public static void main(String[] args) {
    ParentLink.haltWhenParentGone();
    boolean utf8 = args.length > 2 && args[2].equals("utf8");
    long connectEpochMillis = System.currentTimeMillis();
    long t0 = System.nanoTime();
    RemoteThread remote = utf8
        ? connect(new ConnectOptions(Utf8Codec.INSTANCE, 100_000, Duration.ofSeconds(10),
            Duration.ofSeconds(5), 16 << 20), args[0])
        : connect(args[0]);
    long t1 = System.nanoTime();
    send(remote, args[1] + "@" + connectEpochMillis);
    long t2 = System.nanoTime();
    remote.close();
    long t3 = System.nanoTime();
    ParentLink.say("TIMES connectMs=" + millis(t1 - t0) + " sendMs=" + millis(t2 - t1)
        + " closeMs=" + millis(t3 - t2) + " " + remote.stats());
  }

  private static String millis(long nanos) {
    return String.format("%.1f", nanos / (double) TimeUnit.MILLISECONDS.toNanos(1));
  }
}
