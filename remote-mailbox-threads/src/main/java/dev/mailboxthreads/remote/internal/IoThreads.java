package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.remote.RemoteMailboxException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starting and stopping an I/O thread from a user thread. Both waits are uninterruptible: set-up
 * takes milliseconds and close must not return before the I/O thread has ended, so an interrupt
 * is kept for the caller, never lost and never a reason to leave a socket half set up.
 */
public final class IoThreads {
  private IoThreads() {}

  /**
   * Starts {@code ioThread} and waits until it reports its set-up in {@code ready}.
   *
   * @return the set-up's result
   * @throws RuntimeException what the set-up failed with, once the I/O thread has ended
   */
  static <T> T start(Thread ioThread, CompletableFuture<T> ready, String what) {
    ioThread.start();
    boolean interrupted = false;
    try {
      for (;;) {
        try {
          return ready.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          join(ioThread);
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new RemoteMailboxException("cannot " + what, e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits until {@code ioThread} has ended, through interrupts (the interrupt status is set
   * again afterwards); returns at once if called from it.
   *
   * @param ioThread the thread
   */
  public static void join(Thread ioThread) {
    if (Thread.currentThread() == ioThread) {
      return;
    }
    boolean interrupted = false;
    while (ioThread.isAlive()) {
      try {
        ioThread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
