package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.internal.Mailboxes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mailboxes end with their threads: many short-lived threads that used their mailbox leave
 * neither heap nor registry entries behind (the registry's size stays proportional to live
 * threads that used mailboxes), whether the library started them or not.
 *
 * <p>Heap is measured as {@code totalMemory() - freeMemory()} after {@code System.gc()} until it
 * settles. ({@code MemoryMXBean} would need {@code java.management}, which this module does not
 * read; for "used heap after a full GC" the two agree.) Surefire runs with {@code -Xmx2g
 * -XX:+UseG1GC}, where {@code System.gc()} is a full collection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LeakTest {
  private static final int BATCH = 100_000;
  private static final Object TOKEN = "token";
  private static final long HEAP_GROWTH_LIMIT_BYTES = 16L << 20;

  /** Used heap after full collections, once two readings in a row agree within 1 MB. */
  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 20; i++) {
      System.gc();
      long used = rt.totalMemory() - rt.freeMemory();
      if (Math.abs(previous - used) < (1 << 20)) {
        return used;
      }
      previous = used;
    }
    return previous;
  }

  /**
   * Starts {@code BATCH} virtual threads with {@link MailboxThreads#start}, each receiving one
   * message, sends each its message and waits until all have ended.
   *
   * @return how many received something other than their message
   */
  private static long startedBatch() throws InterruptedException {
    Thread[] batch = new Thread[BATCH];
    CountDownLatch received = new CountDownLatch(BATCH);
    LongAdder wrong = new LongAdder();
    for (int i = 0; i < BATCH; i++) {
      batch[i] = start(() -> {
        if (receive(TestThreads.PATIENCE) != TOKEN) {
          wrong.increment();
        }
        received.countDown();
      });
    }
    for (Thread t : batch) {
      send(t, TOKEN);
    }
    assertThat(received.await(60, TimeUnit.SECONDS)).as("all received").isTrue();
    for (Thread t : batch) {
      assertThat(t.join(TestThreads.PATIENCE)).isTrue();
    }
    return wrong.sum();
  }

  @Test
  void startedThreads_millionShortLived_leaveNeitherHeapNorRegistryBehind() throws Exception {
    startedBatch(); // warm-up: scheduler queues, JIT, the registry table reach their size
    int registeredBefore = Mailboxes.registered();
    long droppedBefore = droppedCount();
    long heapBefore = usedHeapAfterGc();

    long wrong = 0;
    for (int b = 0; b < 10; b++) {
      wrong += startedBatch();
    }

    long heapAfter = usedHeapAfterGc();
    assertThat(wrong).as("threads that got something else").isZero();
    assertThat(droppedCount() - droppedBefore).as("nothing dropped: all received").isZero();
    assertThat(Mailboxes.registered()).as("registry back to baseline")
        .isLessThanOrEqualTo(registeredBefore);
    assertThat(heapAfter - heapBefore).as("heap growth after 1,000,000 threads (bytes)")
        .isLessThan(HEAP_GROWTH_LIMIT_BYTES);
  }

  /**
   * Starts {@code BATCH} plain virtual threads (not through the library) that each receive one
   * of the two messages sent to them and leave the other, and waits until all have ended. Keeps
   * no reference to them.
   */
  private static void plainBatch() throws InterruptedException {
    CountDownLatch received = new CountDownLatch(BATCH);
    LongAdder wrong = new LongAdder();
    Thread[] batch = new Thread[BATCH];
    for (int i = 0; i < BATCH; i++) {
      batch[i] = Thread.ofVirtual().start(() -> {
        if (receive(TestThreads.PATIENCE) != TOKEN) {
          wrong.increment();
        }
        received.countDown();
      });
    }
    for (Thread t : batch) {
      send(t, TOKEN);
      send(t, "left unread");
    }
    assertThat(received.await(60, TimeUnit.SECONDS)).as("all received").isTrue();
    for (Thread t : batch) {
      assertThat(t.join(TestThreads.PATIENCE)).isTrue();
    }
    assertThat(wrong.sum()).isZero();
  }

  @Test
  void plainThreads_afterCollected_leaveNoRegistryEntries_andUnreadAreCountedAsDropped()
      throws Exception {
    int batches = 2;
    await("warm-up registry settled").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          int r = Mailboxes.registered();
          System.gc();
          return Mailboxes.registered() == r;
        });
    int registeredBefore = Mailboxes.registered();
    long droppedBefore = droppedCount();
    long heapBefore = usedHeapAfterGc();

    for (int b = 0; b < batches; b++) {
      plainBatch();
    }
    long expectedDrops = (long) batches * BATCH;

    // The registry lets go of a plain thread's mailbox once the collector has reclaimed the
    // thread; the unread message is counted as dropped then.
    await("registry back to baseline and unread messages counted")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          System.gc();
          return Mailboxes.registered() <= registeredBefore
              && droppedCount() - droppedBefore >= expectedDrops;
        });
    assertThat(droppedCount() - droppedBefore).as("each unread message counted exactly once")
        .isEqualTo(expectedDrops);
    assertThat(usedHeapAfterGc() - heapBefore).as("heap growth (bytes)")
        .isLessThan(HEAP_GROWTH_LIMIT_BYTES);
  }
}
