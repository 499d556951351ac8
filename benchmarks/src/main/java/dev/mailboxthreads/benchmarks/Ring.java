package dev.mailboxthreads.benchmarks;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxThreads;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A ring of {@code size} virtual threads, each receiving from its mailbox and sending to the
 * next; one token goes around, {@link #HOPS} hops per operation, in hops per second.
 *
 * <p>Ours: each thread is started with {@code MailboxThreads.unstarted}, holds the {@link
 * Address} of the next, and loops {@code receive()} / {@code send(next, token)}. Baselines: each
 * thread owns the {@link Inbox} of another {@link Contestant} (a {@code LinkedBlockingQueue},
 * the baseline; JCTools' queue; or {@link Contestant#ONE_SLOT_PARK}, the floor of a
 * hop) and loops {@code receive()} / {@code next.send(token)}.
 *
 * <p>Setup, once per trial (a million threads take seconds): {@link #warmUp}, so that the code
 * is compiled before the big ring is built; then the big ring is built, every thread is waited for
 * until it is parked in its receive, and the token goes once around it, so every thread has
 * been resumed once, and a full GC moves the ring out of the young generation. Each operation then resumes the token where the last one stopped, so over
 * a run it keeps visiting every thread: at 10^5 and 10^6 threads the ring is far larger than
 * the caches, and each hop touches a cold thread stack and mailbox.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Ring {
  /** Hops per operation. */
  static final int HOPS = 100_000;

  /** Threads in each warm-up ring. */
  static final int WARMUP_SIZE = 10_000;

  /** Laps of each warm-up ring. */
  static final int WARMUP_LAPS = 30;

  /** Warm-up rings, each built, run and stopped. */
  static final int WARMUP_RINGS = 4;

  /** Threads in the ring. */
  @Param({"100000", "1000000"})
  public int size;

  /**
   * Ours, or another contestant's inbox per thread; by default the LinkedBlockingQueue
   * baseline ({@code -p contestant=...,ONE_SLOT_PARK} adds the floor).
   */
  @Param({"MAILBOX", "LINKED_BLOCKING_QUEUE"})
  public Contestant contestant;

  private Threads ring;

  /**
   * Warms up, builds the ring, and sends the token once around it.
   *
   * @throws InterruptedException if interrupted
   */
  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    warmUp(contestant);
    ring = new Threads(contestant, size);
    ring.hops(size);
    // Move the ring out of the young generation now, or the first young collection of the
    // measurement copies all of it (a pause of up to a second at 10^6 threads).
    System.gc();
  }

  /**
   * Sends the token around for {@link #HOPS} hops, starting where the last operation stopped.
   *
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(HOPS)
  public void hops() throws InterruptedException {
    ring.hops(HOPS);
  }

  /**
   * Stops every thread and joins them.
   *
   * @throws InterruptedException if interrupted
   */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    ring.stop();
    ring = null;
  }

  /**
   * Runs {@link #WARMUP_RINGS} rings of {@link #WARMUP_SIZE} threads for {@link #WARMUP_LAPS}
   * laps each, stopping each one, so that the threads' loop is compiled with every branch it
   * takes, the stop included, before a measured ring starts.
   *
   * <p>Why several rings: a virtual thread keeps, for as long as it lives, the frame its loop
   * began in. A loop compiled before any thread had stopped treats the stop as unreachable, and
   * the JIT throws that code away (an uncommon trap) when the first ring stops; threads started
   * before the loop is compiled again run interpreted or lightly compiled frames, whose freeze
   * and thaw take the JDK's slow paths. With a single warm-up ring, about one JVM in three
   * measured ours at 1.0-1.1 M hops/s at 10^5 on one carrier instead of 2.2-3.2 M (the JMH
   * Ring with {@code -XX:+PrintCompilation}: "made not entrant: uncommon trap" after the
   * warm-up, then {@code Interpreter}, {@code freeze_slow} and {@code thaw_slow} in a {@code
   * perf} profile; docs/benchmarks.md, session 10).
   *
   * @param contestant whose ring
   * @throws InterruptedException if interrupted
   */
  static void warmUp(Contestant contestant) throws InterruptedException {
    for (int round = 0; round < WARMUP_RINGS; round++) {
      Threads warm = new Threads(contestant, WARMUP_SIZE);
      for (int lap = 0; lap < WARMUP_LAPS; lap++) {
        warm.hops(WARMUP_SIZE);
      }
      warm.stop();
    }
  }

  /**
   * Waits until every thread is in {@link Thread.State#WAITING}.
   *
   * @param threads the threads
   * @throws InterruptedException if interrupted
   */
  static void awaitAllWaiting(Thread[] threads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    for (Thread t : threads) {
      while (t.getState() != Thread.State.WAITING) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(t + " is " + t.getState() + ", not WAITING");
        }
        Thread.sleep(1);
      }
    }
  }

  /** The token: hops still to go. Written only by its current holder. */
  static final class Token {
    int hopsLeft;
  }

  /**
   * One ring of started threads.
   *
   * <p><b>Thread safety:</b> {@link #hops} and {@link #stop} from one driving thread.
   */
  static final class Threads implements HopRing {
    private final int size;
    private final Thread[] threads;
    private final Address[] addresses;
    private final Inbox[] inboxes;
    private final Token token = new Token();
    private final Semaphore done = new Semaphore(0);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * Where the next run sends the token: the successor of the thread that ended the last run.
     * Written by that thread before it releases {@link #done}, read by the driver after it
     * acquires it.
     */
    private int resumeAt;

    Threads(Contestant contestant, int size) throws InterruptedException {
      this.size = size;
      threads = new Thread[size];
      Thread.Builder builder = Thread.ofVirtual().name("ring");
      if (contestant == Contestant.MAILBOX) {
        addresses = new Address[size];
        inboxes = null;
        for (int i = 0; i < size; i++) {
          int me = i;
          threads[i] = MailboxThreads.unstarted(builder, () -> runMailbox(me));
          addresses[i] = MailboxThreads.addressOf(threads[i]);
        }
      } else {
        addresses = null;
        inboxes = new Inbox[size];
        for (int i = 0; i < size; i++) {
          int me = i;
          threads[i] = contestant.newThread(builder, () -> runInbox(me));
          inboxes[i] = contestant.inboxOf(threads[i]);
        }
      }
      for (Thread t : threads) {
        t.start();
      }
      awaitAllWaiting(threads);
    }

    private void runMailbox(int me) {
      Address next = addresses[(me + 1) % size];
      try {
        for (;;) {
          Object m = MailboxThreads.receive();
          if (m == Workers.STOP) {
            return;
          }
          Token t = (Token) m;
          if (--t.hopsLeft == 0) {
            resumeAt = (me + 1) % size;
            done.release();
          } else {
            MailboxThreads.send(next, t);
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }

    private void runInbox(int me) {
      Inbox mine = inboxes[me];
      Inbox next = inboxes[(me + 1) % size];
      try {
        for (;;) {
          Object m = mine.receive();
          if (m == Workers.STOP) {
            return;
          }
          Token t = (Token) m;
          if (--t.hopsLeft == 0) {
            resumeAt = (me + 1) % size;
            done.release();
          } else {
            next.send(t);
          }
        }
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    }

    /** Sends the token for {@code hops} hops from where it stopped, and waits for the end. */
    @Override
    public void hops(int hops) throws InterruptedException {
      token.hopsLeft = hops;
      int at = resumeAt;
      if (addresses != null) {
        MailboxThreads.send(addresses[at], token);
      } else {
        inboxes[at].send(token);
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
      while (!done.tryAcquire(1, TimeUnit.SECONDS)) {
        check();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(hops + " hops took more than 5 minutes");
        }
      }
    }

    /**
     * Where the next run sends the token.
     *
     * @return the index of the thread after the one that ended the last run
     */
    int resumeAt() {
      return resumeAt;
    }

    /** Sends every thread STOP and joins them all. */
    @Override
    public void stop() throws InterruptedException {
      for (int i = 0; i < size; i++) {
        if (addresses != null) {
          MailboxThreads.send(addresses[i], Workers.STOP);
        } else {
          inboxes[i].send(Workers.STOP);
        }
      }
      for (Thread t : threads) {
        if (!t.join(Duration.ofMinutes(1))) {
          throw new IllegalStateException(t + " did not stop");
        }
      }
      check();
    }

    private void check() {
      Throwable e = failure.get();
      if (e != null) {
        throw new IllegalStateException("a ring thread failed", e);
      }
    }
  }
}
