package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.RemoteMailboxThreads.publish;

import dev.mailboxthreads.remote.Publication;

/**
 * The consumer of the seed's example, as a child JVM: publishes its main thread on the endpoints
 * given as arguments and prints {@code nom nom nom:MSG} for every message. Before that it prints
 * {@code READY <bound endpoints>} and the seed's {@code waiting for things to consume}. When the
 * test closes its stdin it closes the publication, prints {@code BYE <stats>} and exits 0.
 *
 * <pre>
 * (publish-thread! (current-thread) "tcp://127.0.0.1:12345" "ipc:///tmp/nomnom")
 * (print "waiting for things to consume")
 * (let loop ((msg (thread-receive))) (display "nom nom nom:") (print msg) (loop (thread-receive)))
 * </pre>
 */
public final class NomNomConsumer {
  private NomNomConsumer() {}

  /**
   * Runs the consumer.
   *
   * @param endpoints where to publish
   */
  public static void main(String[] endpoints) {
    Thread self = Thread.currentThread();
    Object stop = new Object(); // a local message: no remote sender can forge it
    ParentLink.onStdinEnd(() -> send(self, stop));
    Publication publication = publish(self, endpoints);
    ParentLink.say("READY " + String.join(" ", publication.endpoints()));
    ParentLink.say("waiting for things to consume");
    for (Object msg = receive(); msg != stop; msg = receive()) {
      ParentLink.say("nom nom nom:" + msg);
    }
    publication.close();
    ParentLink.say("BYE " + publication.stats());
  }
}
