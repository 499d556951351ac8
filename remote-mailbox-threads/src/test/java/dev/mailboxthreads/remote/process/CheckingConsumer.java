package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.mailboxSize;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The receiving JVM of the stress test. Publishes its main thread on {@code tcp://127.0.0.1:*}
 * and checks messages {@code "SENDER:SEQ"}: per sender, SEQ must run 0, 1, 2, ... with no gap
 * (a loss) and no repeat (a duplicate).
 *
 * <p>Arguments: number of senders, messages per sender. Prints:
 *
 * <ul>
 *   <li>{@code READY <endpoint>} once published;
 *   <li>{@code OK <count> <millis>} when every message has arrived in order, or {@code VIOLATION
 *       ...} at the first one out of order (and keeps counting);
 *   <li>{@code IDLE ...} after 5 s without a message, for the failure message;
 *   <li>when stdin closes: {@code FINAL delivered=D dropped=X leftover=L} (what the publication
 *       delivered in all, what it dropped, what was left unread in the mailbox), then exits 0.
 * </ul>
 */
public final class CheckingConsumer {
  private CheckingConsumer() {}

  /**
   * Runs the consumer.
   *
   * @param args senders, messages per sender
   */
  public static void main(String[] args) {
    int senders = Integer.parseInt(args[0]);
    int perSender = Integer.parseInt(args[1]);
    long total = (long) senders * perSender;
    Thread self = Thread.currentThread();
    Object stop = new Object();
    Object idle = new Object();
    ParentLink.onStdinEnd(() -> send(self, stop));
    try (RemoteContext context = RemoteContext.create()) {
      Publication publication = context.publish(self, "tcp://127.0.0.1:*");
      ParentLink.say("READY " + publication.endpoints().get(0));
      int[] next = new int[senders];
      long count = 0;
      long firstNanos = 0;
      boolean violated = false;
      for (;;) {
        Object m = receive(Duration.ofSeconds(5), idle);
        if (m == stop) {
          break;
        }
        if (m == idle) {
          ParentLink.say("IDLE count=" + count + " " + publication.stats());
          continue;
        }
        if (firstNanos == 0) {
          firstNanos = System.nanoTime();
        }
        String s = (String) m;
        int colon = s.indexOf(':');
        int sender = Integer.parseInt(s, 0, colon, 10);
        int seq = Integer.parseInt(s, colon + 1, s.length(), 10);
        if (!violated && seq != next[sender]) {
          violated = true;
          ParentLink.say("VIOLATION sender=" + sender + " expected=" + next[sender] + " got=" + seq
              + " (" + (seq < next[sender] ? "duplicate or reordered" : "gap: lost") + ") after "
              + count + " messages");
        }
        next[sender] = seq + 1;
        count++;
        if (count == total && !violated) {
          ParentLink.say("OK " + count + " "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - firstNanos));
        }
      }
      publication.close();
      ParentLink.say("FINAL delivered=" + publication.stats().delivered()
          + " dropped=" + publication.stats().droppedTotal() + " leftover=" + mailboxSize());
    }
  }
}
