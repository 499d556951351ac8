package dev.mailboxthreads.spi;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.MailboxTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An installed {@link OwnerWait} replaces the owner's park: it is what the owner waits in, a
 * delivery calls its wake instead of unparking, and timeouts and interrupts keep their
 * contracts through it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnerWaitTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  /**
   * A wait that parks like the mailbox would, counts its calls, and can deliver to its own
   * mailbox from inside the wait as a transport does.
   */
  static final class CountingWait implements OwnerWait {
    final AtomicInteger awaits = new AtomicInteger();
    final AtomicInteger wakes = new AtomicInteger();
    final CountDownLatch waiting = new CountDownLatch(1);
    volatile Thread owner;
    volatile Object deliverFromInside;

    @Override
    public void await(long timeoutNanos) {
      assertThat(Thread.currentThread()).isSameAs(owner);
      awaits.incrementAndGet();
      Object m = deliverFromInside;
      if (m != null) {
        deliverFromInside = null;
        send(Thread.currentThread(), m); // wakes this wait: must not hang
        return;
      }
      waiting.countDown();
      if (timeoutNanos == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, timeoutNanos);
      }
    }

    @Override
    public void wake() {
      wakes.incrementAndGet();
      LockSupport.unpark(owner);
    }
  }

  private static Thread platform(Runnable body) {
    return Thread.ofPlatform().daemon().unstarted(body);
  }

  /** What the test does while the owner runs. */
  @FunctionalInterface
  interface Check {
    void run(Thread owner) throws Exception;
  }

  /**
   * Runs {@code body} on a fresh platform thread with {@code w} installed, runs {@code check}
   * meanwhile, then removes {@code w} and waits for the thread.
   */
  private static void withWait(CountingWait w, Runnable body, Check check) throws Exception {
    Thread t = platform(body);
    w.owner = t;
    assertThat(OwnerWaits.install(t, w)).isTrue();
    try {
      t.start();
      check.run(t);
    } finally {
      assertThat(OwnerWaits.remove(t, w)).isTrue();
      t.join(PATIENCE);
    }
  }

  @Test
  void theOwnerWaitsInItAndASendWakesIt() throws Exception {
    CountingWait w = new CountingWait();
    CompletableFuture<Object> got = new CompletableFuture<>();
    withWait(w, () -> got.complete(receive()), t -> {
      assertThat(w.waiting.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      send(t, "hello");
      assertThat(got.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello");
      assertThat(w.wakes.get()).isEqualTo(1);
      assertThat(w.awaits.get()).isGreaterThanOrEqualTo(1);
    });
  }

  @Test
  void aWaitThatDeliversToItsOwnMailboxEndsTheReceive() throws Exception {
    CountingWait w = new CountingWait();
    w.deliverFromInside = "from inside";
    CompletableFuture<Object> got = new CompletableFuture<>();
    withWait(w, () -> got.complete(receive()), t -> {
      assertThat(got.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("from inside");
      assertThat(w.awaits.get()).isEqualTo(1);
    });
  }

  @Test
  void timeoutsAreKeptThroughTheWait() throws Exception {
    CountingWait w = new CountingWait();
    CompletableFuture<Long> waited = new CompletableFuture<>();
    withWait(w, () -> {
      long t0 = System.nanoTime();
      try {
        receive(Duration.ofMillis(50));
        waited.completeExceptionally(new AssertionError("a message came from nowhere"));
      } catch (MailboxTimeoutException e) {
        waited.complete(System.nanoTime() - t0);
      }
    }, t -> {
      assertThat(waited.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
      assertThat(w.awaits.get()).isGreaterThanOrEqualTo(1);
    });
  }

  @Test
  void anInterruptLeftSetByTheWaitThrows() throws Exception {
    CountingWait w = new CountingWait();
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    withWait(w, () -> {
      try {
        receive();
        interrupted.completeExceptionally(new AssertionError("a message came from nowhere"));
      } catch (MailboxInterruptedException e) {
        interrupted.complete(Thread.currentThread().isInterrupted());
      }
    }, t -> {
      assertThat(w.waiting.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      t.interrupt();
      assertThat(interrupted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    });
  }

  @Test
  void oneWaitPerThreadAndRemovalRestoresParking() throws Exception {
    CountingWait w = new CountingWait();
    CountingWait other = new CountingWait();
    CompletableFuture<Object> got = new CompletableFuture<>();
    CountDownLatch removed = new CountDownLatch(1);
    Thread t = platform(() -> {
      try {
        removed.await();
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      got.complete(receive());
    });
    w.owner = t;
    assertThat(OwnerWaits.install(t, w)).isTrue();
    assertThat(OwnerWaits.install(t, other)).isFalse();
    assertThat(OwnerWaits.remove(t, other)).isFalse();
    assertThat(OwnerWaits.remove(t, w)).isTrue();
    t.start();
    removed.countDown();
    await().atMost(PATIENCE).until(() -> t.getState() == Thread.State.WAITING
        && MailboxThreads.hasMailbox(t));
    send(t, "parked");
    assertThat(got.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("parked");
    assertThat(w.awaits.get()).isZero();
    assertThat(other.awaits.get()).isZero();
    t.join(PATIENCE);
  }

  @Test
  void nullsAreRejected() {
    assertThatThrownBy(() -> OwnerWaits.install(null, new CountingWait()))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("owner");
    assertThatThrownBy(() -> OwnerWaits.install(Thread.currentThread(), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("wait");
  }
}
