package dev.mailboxthreads.benchmarks.remote;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs an action once a time limit has passed, unless closed first. The action runs under the
 * watchdog's lock, and {@link #close()} takes that lock, so once {@code close} has returned the
 * action either ran completely or never will (no late interrupt can hit the next step).
 */
final class Watchdog implements AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition closedCondition = lock.newCondition();
  private final Thread thread;
  /** guarded by lock */
  private boolean closed;
  /** guarded by lock */
  private boolean fired;

  private Watchdog(Duration limit, Runnable action) {
    this.thread = Thread.ofPlatform().daemon().name("bench-watchdog").unstarted(() -> {
      lock.lock();
      try {
        long nanos = limit.toNanos();
        while (!closed && nanos > 0) {
          nanos = closedCondition.awaitNanos(nanos);
        }
        if (!closed) {
          fired = true;
          action.run();
        }
      } catch (InterruptedException e) {
        // nobody interrupts it; end quietly
      } finally {
        lock.unlock();
      }
    });
  }

  /** Starts a watchdog that interrupts {@code target} once {@code limit} has passed. */
  static Watchdog interrupting(Thread target, Duration limit) {
    Watchdog w = new Watchdog(limit, target::interrupt);
    w.thread.start();
    return w;
  }

  /** Whether the action ran. */
  boolean fired() {
    lock.lock();
    try {
      return fired;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      closedCondition.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
