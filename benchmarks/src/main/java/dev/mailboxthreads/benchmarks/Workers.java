package dev.mailboxthreads.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The worker threads of one benchmark trial: they are started in {@code @Setup}, run batches
 * that the benchmark method starts and waits for, and are joined in {@code @TearDown}. A worker
 * that fails makes the next wait throw instead of hanging the run.
 *
 * <p><b>Thread safety:</b> {@link #add} and {@link #startAll} from the JMH thread in setup;
 * {@link #await} from the JMH thread; {@link #fail} from any worker.
 */
final class Workers {
  /** How long a batch may take before the run is declared stuck. */
  private static final long STUCK_SECONDS = 120;

  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  /** The stop message, recognised by identity. */
  static final Object STOP = new Object();

  /** A worker body that may throw. */
  interface Body {
    /**
     * Runs the worker.
     *
     * @throws Exception anything, recorded as the trial's failure
     */
    void run() throws Exception;
  }

  /**
   * Makes, but does not start, a worker.
   *
   * @param contestant makes the thread (ours goes through {@code MailboxThreads.unstarted})
   * @param kind platform or virtual
   * @param name the thread's name
   * @param body what it runs
   * @return the unstarted thread
   */
  Thread add(Contestant contestant, ThreadKind kind, String name, Body body) {
    return add(contestant.newThread(kind.builder(name), wrap(body)));
  }

  /**
   * Makes, but does not start, a plain worker thread (no mailbox), for the Pekko peer.
   *
   * @param kind platform or virtual
   * @param name the thread's name
   * @param body what it runs
   * @return the unstarted thread
   */
  Thread add(ThreadKind kind, String name, Body body) {
    return add(kind.builder(name).unstarted(wrap(body)));
  }

  /**
   * Records a failure seen outside the workers (an actor's), which fails the next wait.
   *
   * @param e what went wrong
   */
  void fail(Throwable e) {
    failure.compareAndSet(null, e);
  }

  private Thread add(Thread t) {
    threads.add(t);
    return t;
  }

  private Runnable wrap(Body body) {
    return () -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.compareAndSet(null, e);
      }
    };
  }

  /** Starts every worker added so far. */
  void startAll() {
    for (Thread t : threads) {
      t.start();
    }
  }

  /**
   * Waits for one permit of {@code done}, failing if a worker failed or the batch is stuck.
   *
   * @param done released by the worker that ends a batch
   * @throws InterruptedException if the JMH thread is interrupted
   */
  void await(Semaphore done) throws InterruptedException {
    while (!done.tryAcquire(1, TimeUnit.SECONDS)) {
      check();
      if (++waitedSeconds > STUCK_SECONDS) {
        throw new IllegalStateException("a batch took more than " + STUCK_SECONDS + " s");
      }
    }
    waitedSeconds = 0;
  }

  private int waitedSeconds;

  /**
   * Joins every worker (they must be on their way out), then reports any failure.
   *
   * @throws InterruptedException if interrupted while joining
   */
  void joinAll() throws InterruptedException {
    for (Thread t : threads) {
      if (!t.join(java.time.Duration.ofSeconds(STUCK_SECONDS))) {
        throw new IllegalStateException(t + " did not stop");
      }
    }
    check();
  }

  private void check() {
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException("a worker failed", e);
    }
  }
}
