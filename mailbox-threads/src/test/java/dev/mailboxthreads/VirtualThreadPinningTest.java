package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A virtual thread blocked in receive releases its carrier: far more virtual threads than there
 * are carriers (two on the CI machine) can wait at once, and other virtual threads still run
 * meanwhile. A receive that pinned its carrier (a monitor wait before JDK 24, a blocking native
 * call) would stall the whole scheduler after the first few.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VirtualThreadPinningTest {
  private static final int THREADS = 100_000;

  private static void allWaitThenEachWokenByOneMessage(IntFunction<Object> receiveAs)
      throws Exception {
    CountDownLatch aboutToReceive = new CountDownLatch(THREADS);
    CountDownLatch done = new CountDownLatch(THREADS);
    LongAdder wrong = new LongAdder();
    Thread[] threads = new Thread[THREADS];
    for (int i = 0; i < THREADS; i++) {
      int id = i;
      threads[i] = start(() -> {
        aboutToReceive.countDown();
        if (!Integer.valueOf(id).equals(receiveAs.apply(id))) {
          wrong.increment();
        }
        done.countDown();
      });
    }
    assertThat(aboutToReceive.await(60, TimeUnit.SECONDS)).isTrue();
    await("all " + THREADS + " virtual threads parked in receive")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          for (Thread t : threads) {
            Thread.State s = t.getState();
            if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
              return false;
            }
          }
          return true;
        });

    // the carriers are free: a new virtual thread runs while all of them wait
    CompletableFuture<String> probe = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> probe.complete("ran"));
    assertThat(probe.get(10, TimeUnit.SECONDS)).isEqualTo("ran");
    assertThat(done.getCount()).as("none woke up without a message").isEqualTo(THREADS);

    for (int i = 0; i < THREADS; i++) {
      send(threads[i], i);
    }
    assertThat(done.await(60, TimeUnit.SECONDS)).as("all woke up").isTrue();
    assertThat(wrong.sum()).as("threads that got another thread's message").isZero();
    for (Thread t : threads) {
      assertThat(t.join(TestThreads.PATIENCE)).isTrue();
    }
  }

  @Test
  void receive_100kVirtualThreadsWaitingAtOnce_doNotPinCarriers() throws Exception {
    allWaitThenEachWokenByOneMessage(id -> receive());
  }

  @Test
  void timedAndSelectiveReceive_100kVirtualThreadsWaitingAtOnce_doNotPinCarriers()
      throws Exception {
    allWaitThenEachWokenByOneMessage(id -> id % 2 == 0
        ? receive(Duration.ofMinutes(5))
        : receive(m -> m.equals(id), Duration.ofMinutes(5)));
  }
}
