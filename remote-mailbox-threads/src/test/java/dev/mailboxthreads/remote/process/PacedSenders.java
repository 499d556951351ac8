package dev.mailboxthreads.remote.process;

import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sender threads for the fault tests: sender {@code i} sends {@code "i:SEQ"} (optionally padded)
 * through one {@link
 * RemoteThread}, SEQ counting only the sends that returned normally (a send that throws {@link
 * SendTimeoutException} queued nothing, so its SEQ is used again), with a pause between sends so
 * that the stream is steady rather than a burst. A send that times out is counted and the sender
 * goes on, as an application that treats the timeout as back-pressure would.
 *
 * <p><b>Thread safety:</b> the counters may be read from any thread while the senders run;
 * {@link #stop()} from any thread, once.
 */
final class PacedSenders {
  private final int senders;
  private final AtomicLong[] sent;
  private final AtomicLong[] timeouts;
  private final AtomicLong maxSendNanos = new AtomicLong();
  private final ExecutorService executor;
  private final List<Future<?>> futures = new ArrayList<>();
  private volatile boolean stopping;

  /**
   * Starts {@code senders} platform threads.
   *
   * @param remote where to send
   * @param senders how many threads
   * @param pauseNanos pause after each send
   */
  PacedSenders(RemoteThread remote, int senders, long pauseNanos) {
    this(remote, senders, pauseNanos, 0);
  }

  /**
   * Starts {@code senders} platform threads whose messages carry {@code paddingChars} more
   * characters, {@code "i:SEQ:xxx..."}, so that buffers fill sooner.
   *
   * @param remote where to send
   * @param senders how many threads
   * @param pauseNanos pause after each send
   * @param paddingChars characters after the sequence number; 0 for none (and no second colon)
   */
  PacedSenders(RemoteThread remote, int senders, long pauseNanos, int paddingChars) {
    String padding = paddingChars == 0 ? "" : ":" + "x".repeat(paddingChars);
    this.senders = senders;
    this.sent = new AtomicLong[senders];
    this.timeouts = new AtomicLong[senders];
    executor = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("paced-", 0).factory());
    for (int i = 0; i < senders; i++) {
      int id = i;
      sent[i] = new AtomicLong();
      timeouts[i] = new AtomicLong();
      futures.add(executor.submit(() -> {
        while (!stopping) {
          long seq = sent[id].get();
          long start = System.nanoTime();
          try {
            remote.send(id + ":" + seq + padding);
            sent[id].incrementAndGet();
          } catch (SendTimeoutException e) {
            timeouts[id].incrementAndGet();
          }
          maxSendNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
          LockSupport.parkNanos(pauseNanos);
        }
        return null;
      }));
    }
  }

  /** Messages sender {@code i} has sent (sends that returned normally). */
  long sent(int i) {
    return sent[i].get();
  }

  /** Sends of sender {@code i} that threw {@link SendTimeoutException}. */
  long timeouts(int i) {
    return timeouts[i].get();
  }

  /** Every sender's sent count, now. */
  long[] sentNow() {
    long[] now = new long[senders];
    for (int i = 0; i < senders; i++) {
      now[i] = sent[i].get();
    }
    return now;
  }

  /** Sum of {@link #timeouts(int)}. */
  long totalTimeouts() {
    long t = 0;
    for (AtomicLong a : timeouts) {
      t += a.get();
    }
    return t;
  }

  /** The longest any single send took, so far. */
  long maxSendMillis() {
    return TimeUnit.NANOSECONDS.toMillis(maxSendNanos.get());
  }

  int senders() {
    return senders;
  }

  /**
   * Stops the senders and waits for them; a sender's unexpected exception fails here.
   *
   * @throws Exception what a sender threw
   */
  void stop() throws Exception {
    stopping = true;
    try {
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      throw new AssertionError("a sender failed: " + e.getCause(), e.getCause());
    } finally {
      executor.shutdownNow();
      executor.close();
    }
  }
}
