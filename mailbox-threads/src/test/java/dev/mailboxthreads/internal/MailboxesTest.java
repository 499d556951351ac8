package dev.mailboxthreads.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry from threads to mailboxes, and the dropped count. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MailboxesTest {

  @Test
  void of_sameThread_returnsTheSameMailbox_peekNeverCreates() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    assertThat(Mailboxes.peek(t)).isNull();
    Mailbox m = Mailboxes.of(t);
    assertThat(Mailboxes.of(t)).isSameAs(m);
    assertThat(Mailboxes.peek(t)).isSameAs(m);
    assertThat(m.get()).isSameAs(t);
  }

  @Test
  void of_racingCreators_agreeOnOneMailbox() throws Exception {
    for (int round = 0; round < 200; round++) {
      Thread t = Thread.ofVirtual().unstarted(() -> {});
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Mailbox>> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        CompletableFuture<Mailbox> f = new CompletableFuture<>();
        got.add(f);
        Thread.ofPlatform().start(() -> {
          try {
            go.await();
            f.complete(Mailboxes.of(t));
          } catch (Throwable e) {
            f.completeExceptionally(e);
          }
        });
      }
      go.countDown();
      Mailbox first = got.get(0).get(20, TimeUnit.SECONDS);
      for (CompletableFuture<Mailbox> f : got) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isSameAs(first);
      }
      assertThat(Mailboxes.peek(t)).isSameAs(first);
    }
  }

  /**
   * Writers create and forget mailboxes, making the table grow and shrink many times, while
   * readers look up a fixed set of mailboxes without the lock: every lookup must return the one
   * mailbox of its thread (never another, never a second one), whatever the resizes do.
   */
  @Test
  void lookups_duringGrowAndShrink_alwaysFindTheOneMailbox() throws Exception {
    int stable = 2_000;
    int writers = 3;
    int perWriter = 40_000;
    Thread[] fixed = new Thread[stable];
    Mailbox[] expected = new Mailbox[stable];
    for (int i = 0; i < stable; i++) {
      fixed[i] = Thread.ofVirtual().unstarted(() -> {});
      expected[i] = Mailboxes.of(fixed[i]);
    }
    int capacityBefore = Mailboxes.capacity();
    CountDownLatch writersDone = new CountDownLatch(writers);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    int[] maxCapacity = new int[1];
    for (int w = 0; w < writers; w++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          List<Thread> batch = new ArrayList<>();
          for (int i = 0; i < perWriter; i++) {
            Thread t = Thread.ofVirtual().unstarted(() -> {});
            batch.add(t);
            Mailbox m = Mailboxes.of(t);
            if (Mailboxes.of(t) != m || m.get() != t) {
              throw new AssertionError("a second mailbox for one thread");
            }
            if (batch.size() == 10_000) { // grow to 10^4 more, then shrink back
              synchronized (maxCapacity) {
                maxCapacity[0] = Math.max(maxCapacity[0], Mailboxes.capacity());
              }
              for (Thread b : batch) {
                Mailboxes.threadEnded(b);
                if (Mailboxes.peek(b) != null) {
                  throw new AssertionError("still registered after threadEnded");
                }
              }
              batch.clear();
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        } finally {
          writersDone.countDown();
        }
      }));
    }
    long lookups = 0;
    while (writersDone.getCount() > 0) {
      for (int i = 0; i < stable; i++) {
        assertThat(Mailboxes.of(fixed[i])).isSameAs(expected[i]);
        lookups++;
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(lookups).isPositive();
    assertThat(maxCapacity[0]).as("the table grew").isGreaterThan(capacityBefore);
    for (int i = 0; i < stable; i++) {
      assertThat(Mailboxes.peek(fixed[i])).isSameAs(expected[i]);
      Mailboxes.threadEnded(fixed[i]);
    }
    assertThat(Mailboxes.capacity()).as("the table shrank back").isLessThan(maxCapacity[0]);
    assertThat(Mailbox.emptyStubUntouched()).as("no mailbox wrote the shared empty stub").isTrue();
  }

  @Test
  void threadEnded_closesForgetsAndCountsUnread() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    Mailbox m = Mailboxes.of(t);
    m.offer("a");
    m.offer("b");
    long before = Mailboxes.dropped();
    Mailboxes.threadEnded(t);
    assertThat(Mailboxes.dropped() - before).isEqualTo(2);
    assertThat(Mailboxes.peek(t)).isNull();
    assertThat(m.isClosed()).isTrue();
    assertThat(m.offer("to a held address")).isFalse();
    assertThat(Mailboxes.dropped() - before).isEqualTo(3);
  }

  @Test
  void threadEnded_threadWithoutMailbox_doesNothing() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    long before = Mailboxes.dropped();
    Mailboxes.threadEnded(t);
    assertThat(Mailboxes.dropped() - before).isZero();
  }

  /**
   * "The registry never keeps a thread alive": a thread that used its mailbox and ended is
   * collected, its mailbox expunged and what it left unread counted as dropped.
   */
  @Test
  void registry_neverKeepsAThreadAlive_andCountsWhatACollectedThreadLeft() throws Exception {
    long before = Mailboxes.dropped();
    WeakReference<Thread> thread = endedThreadThatLeftMessages(3);
    await("thread collected, mailbox expunged")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          return thread.get() == null && Mailboxes.dropped() - before >= 3;
        });
    assertThat(Mailboxes.dropped() - before).isEqualTo(3);
  }

  private static WeakReference<Thread> endedThreadThatLeftMessages(int n) throws Exception {
    Thread t = Thread.ofPlatform().unstarted(() -> {});
    Mailbox m = Mailboxes.of(t);
    for (int i = 0; i < n; i++) {
      m.offer(i);
    }
    t.start();
    t.join();
    assertThat(Mailboxes.peek(t)).as("still registered until collected").isSameAs(m);
    return new WeakReference<>(t);
  }
}
