package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.RemoteMailboxThreads.connect;

import dev.mailboxthreads.remote.RemoteThread;

/**
 * The producer of the seed's example, as a child JVM: connects to the tcp endpoint and to the
 * ipc endpoint separately (two remote threads for one published thread), sends {@code carrot}
 * through the first and {@code egg} through the second, closes both (which delivers, for up to
 * the linger) and exits 0 after printing {@code SENT <stats> <stats>}.
 *
 * <pre>
 * (define consumer (connect-remote-thread "tcp://127.0.0.1:12345"))
 * (define another-consumer (connect-remote-thread "ipc:///tmp/nomnom"))
 * (thread-send consumer 'carrot)
 * (thread-send another-consumer 'egg)
 * </pre>
 */
public final class NomNomProducer {
  private NomNomProducer() {}

  /**
   * Runs the producer.
   *
   * @param args the tcp endpoint, then the ipc endpoint
   */
  public static void main(String[] args) {
    ParentLink.haltWhenParentGone();
    RemoteThread consumer = connect(args[0]);
    RemoteThread anotherConsumer = connect(args[1]);
    send(consumer, "carrot");
    send(anotherConsumer, "egg");
    consumer.close();
    anotherConsumer.close();
    ParentLink.say("SENT " + consumer.stats() + " " + anotherConsumer.stats());
  }
}
