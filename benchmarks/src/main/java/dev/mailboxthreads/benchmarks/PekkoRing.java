package dev.mailboxthreads.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;

/**
 * The Pekko peer of {@link Ring.Threads}: a ring of {@code size} classic actors on Pekko's
 * default dispatcher, each knowing the next, one token going around. Built as {@code ring.erl}
 * builds its processes: the first actor is spawned, every other one is spawned with the
 * previously spawned one as its next, and the first is then told the last.
 *
 * <p><b>Thread safety:</b> {@link #hops} and {@link #stop} from one driving thread.
 */
final class PekkoRing implements HopRing {
  private final ActorSystem system;
  private final ActorRef[] actors;
  private final Semaphore done = new Semaphore(0);
  private final Ring.Token token = new Ring.Token();
  private final Semaphore stopped = new Semaphore(0);
  /** Counted down by each actor as it starts ({@code preStart}, on the dispatcher). */
  private final java.util.concurrent.CountDownLatch started;

  /** Where the next run sends the token; written by the actor that ended the last run. */
  private volatile ActorRef resumeAt;

  /** One ring member. */
  static final class Member extends AbstractActor {
    private final PekkoRing ring;
    private ActorRef next;

    Member(PekkoRing ring, ActorRef next) {
      this.ring = ring;
      this.next = next;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Ring.Token.class, t -> {
            if (--t.hopsLeft == 0) {
              ring.resumeAt = next;
              ring.done.release();
            } else {
              next.tell(t, ActorRef.noSender());
            }
          })
          .match(ActorRef.class, n -> next = n)
          .build();
    }

    @Override
    public void preStart() {
      ring.started.countDown();
    }

    @Override
    public void postStop() {
      ring.stopped.release();
    }
  }

  /**
   * Spawns the ring and waits until every actor has started (actors start asynchronously, on
   * the dispatcher, after {@code actorOf} returns), as {@link Ring.Threads} waits until every
   * thread is parked in its receive.
   *
   * @param system the actor system
   * @param size actors in the ring
   * @throws InterruptedException if interrupted while waiting
   */
  PekkoRing(ActorSystem system, int size) throws InterruptedException {
    this.system = system;
    started = new java.util.concurrent.CountDownLatch(size);
    actors = new ActorRef[size];
    PekkoRing ring = this;
    actors[0] = system.actorOf(Props.create(Member.class, () -> new Member(ring, null)));
    ActorRef previous = actors[0];
    for (int i = 1; i < size; i++) {
      ActorRef next = previous;
      actors[i] = system.actorOf(Props.create(Member.class, () -> new Member(ring, next)));
      previous = actors[i];
    }
    actors[0].tell(previous, ActorRef.noSender());
    resumeAt = actors[0];
    if (!started.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(started.getCount() + " of " + size
          + " ring actors had not started after 5 minutes");
    }
  }

  /**
   * Sends the token for {@code hops} hops from where it stopped, and waits for the end.
   *
   * @param hops hops, at least 1
   * @throws InterruptedException if interrupted
   */
  @Override
  public void hops(int hops) throws InterruptedException {
    token.hopsLeft = hops;
    resumeAt.tell(token, ActorRef.noSender());
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (!done.tryAcquire(1, TimeUnit.SECONDS)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(hops + " hops took more than 5 minutes");
      }
    }
  }

  /**
   * Stops every actor and waits until all have stopped.
   *
   * @throws InterruptedException if interrupted
   */
  @Override
  public void stop() throws InterruptedException {
    for (ActorRef a : actors) {
      system.stop(a);
    }
    if (!stopped.tryAcquire(actors.length, 5, TimeUnit.MINUTES)) {
      throw new IllegalStateException("the ring's actors did not stop within 5 minutes");
    }
  }
}
