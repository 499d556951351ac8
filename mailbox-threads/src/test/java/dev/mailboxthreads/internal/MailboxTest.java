package dev.mailboxthreads.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The invariants in the implementation notes of {@link Mailbox}, on mailboxes made directly
 * (not registered). Owner-only methods are called by the owner: the test thread, or a thread
 * made for the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MailboxTest {

  /** A mailbox for {@code owner}, outside the registry. */
  static Mailbox mailboxOf(Thread owner) {
    return new Mailbox(owner, new ReferenceQueue<>());
  }

  /** Takes every message there now, oldest first, without waiting. */
  static List<Object> takeAll(Mailbox m) {
    List<Object> out = new ArrayList<>();
    for (Object v; (v = m.take(0)) != null; ) {
      out.add(v);
    }
    return out;
  }

  /**
   * A fresh mailbox has no node of its own: it starts on a stub shared by all mailboxes, and its
   * first message is linked through the mailbox. Removing around that first position, leaving
   * tombstones right after it, and many fresh mailboxes getting their first message at once
   * must all leave the shared stub untouched and each mailbox with exactly its own messages.
   */
  @Test
  void freshMailboxes_firstMessages_neverTouchTheSharedStub() throws Exception {
    Mailbox m = mailboxOf(Thread.currentThread());
    m.offer("a");
    m.offer("b");
    m.offer("c");
    assertThat(m.next(0)).isEqualTo("a");
    assertThat(m.next(0)).isEqualTo("b");
    assertThat(m.extractAndRewind()).isEqualTo("b"); // a middle node, after the first
    assertThat(m.next(0)).isEqualTo("a");
    assertThat(m.extractAndRewind()).isEqualTo("a"); // the first node: head moves off the stub
    assertThat(takeAll(m)).containsExactly("c");

    Mailbox t = mailboxOf(Thread.currentThread());
    t.offer("x");
    t.offer("y");
    t.next(0);
    t.next(0);
    t.extractAndRewind(); // "y": a tombstone at the end, after the first node
    t.offer("z");
    assertThat(t.size()).isEqualTo(2);
    assertThat(takeAll(t)).containsExactly("x", "z");

    int mailboxes = 20_000;
    Mailbox[] fresh = new Mailbox[mailboxes];
    for (int i = 0; i < mailboxes; i++) {
      fresh[i] = mailboxOf(Thread.currentThread());
    }
    Thread[] senders = new Thread[4];
    for (int s = 0; s < senders.length; s++) {
      int sender = s;
      senders[s] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < mailboxes; i++) {
          fresh[i].offer(sender * 1_000_000 + i);
        }
      });
    }
    for (Thread s : senders) {
      s.join();
    }
    for (int i = 0; i < mailboxes; i++) {
      List<Object> got = takeAll(fresh[i]);
      assertThat(got).hasSize(senders.length);
      for (Object v : got) {
        assertThat((Integer) v % 1_000_000).isEqualTo(i);
      }
    }
    assertThat(Mailbox.emptyStubUntouched()).isTrue();
  }

  @Test
  void offerThenTake_isFifo_andRewinds() {
    Mailbox m = mailboxOf(Thread.currentThread());
    for (int i = 0; i < 5; i++) {
      assertThat(m.offer(i)).isTrue();
    }
    assertThat(m.next(0)).isEqualTo(0);
    assertThat(m.next(0)).isEqualTo(1);
    assertThat(m.take(0)).isEqualTo(0);
    assertThat(m.extractAndRewind()).as("take rewound: nothing to extract").isNull();
    assertThat(takeAll(m)).containsExactly(1, 2, 3, 4);
    assertThat(m.take(0)).isNull();
  }

  @Test
  void extractAndRewind_returnsTheRemovedValue_orNullWhenRewound() {
    Mailbox m = mailboxOf(Thread.currentThread());
    m.offer("a");
    m.offer("b");
    m.offer("c");
    assertThat(m.extractAndRewind()).isNull();
    m.next(0);
    m.next(0);
    assertThat(m.extractAndRewind()).isEqualTo("b");
    assertThat(m.extractAndRewind()).isNull();
    m.next(0);
    m.next(0);
    assertThat(m.extractAndRewind()).isEqualTo("c"); // the newest: left as a tombstone
    assertThat(m.size()).isEqualTo(1);
    m.offer("d"); // a producer links after the tombstone
    assertThat(m.next(0)).isEqualTo("a");
    assertThat(m.next(0)).as("the tombstone is skipped").isEqualTo("d");
    assertThat(m.next(0)).isNull();
    assertThat(takeAll(m)).containsExactly("a", "d");
  }

  @Test
  void takeMatching_rewindsWhateverHappens() {
    Mailbox m = mailboxOf(Thread.currentThread());
    m.offer(1);
    m.offer(2);
    m.offer(3);
    m.next(0);
    m.next(0);
    assertThat(m.takeMatching(x -> x.equals(3), 0)).isEqualTo(3);
    assertThat(m.next(0)).isEqualTo(1);
    assertThat(m.takeMatching(x -> x.equals(9), 0)).isNull();
    assertThat(m.next(0)).as("rewound after no match").isEqualTo(1);
    assertThat(takeAll(m)).containsExactly(1, 2);
  }

  @Test
  void close_countsUnreadAsDropped_andIsIdempotent() {
    Mailbox m = mailboxOf(Thread.currentThread());
    m.offer("a");
    m.offer("b");
    m.offer("c");
    m.take(0);
    long before = Mailboxes.dropped();
    m.close();
    assertThat(Mailboxes.dropped() - before).isEqualTo(2);
    assertThat(m.isClosed()).isTrue();
    m.close();
    assertThat(Mailboxes.dropped() - before).as("closing twice counts once").isEqualTo(2);
    assertThat(m.size()).isZero();
    assertThat(m.take(0)).isNull();
  }

  /** "A producer checks waiter before appending, so a closed mailbox does not grow." */
  @Test
  void offer_afterClose_isDroppedAndCounted_andMailboxDoesNotGrow() {
    Mailbox m = mailboxOf(Thread.currentThread());
    m.close();
    long before = Mailboxes.dropped();
    for (int i = 0; i < 1000; i++) {
      assertThat(m.offer(i)).isFalse();
    }
    assertThat(Mailboxes.dropped() - before).isEqualTo(1000);
    assertThat(m.size()).isZero();
    m.send("via the Address interface");
    assertThat(Mailboxes.dropped() - before).isEqualTo(1001);
  }

  /**
   * "Exactly one of closer and producer wins each value, so every message is either received,
   * or counted as dropped exactly once." Producers append while the owner takes a few and then
   * closes; repeated, so that close lands at many different points of the appends.
   *
   * <p>Regression test for the race between {@code close()} and a producer stalled between its
   * two steps. Producer A swaps {@code tail} (getting prev) and is descheduled before it writes
   * {@code prev.next}; producers B, C... append after A's node, read {@code waiter} (not yet
   * CLOSED) and return true: their messages are in the mailbox, beyond the cut. The closer then
   * sets CLOSED and walks from {@code head} while {@code next != null}: it stops at prev, so it
   * never claims B's and C's messages, and when A finally links it claims only its own. B's and
   * C's messages are neither received nor counted (observed: a whole producer's 20,000
   * messages missing from the count). Needs more producers than cores to hit the window; fails
   * within a few dozen rounds on a 2-core machine.
   */
  @Test
  void everyMessage_isReceivedOrDroppedExactlyOnce_whenCloseRacesWithProducers()
      throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
    for (int round = 0; round < 300 && System.nanoTime() - stopAt < 0; round++) {
      int takeBeforeClose = round * 7 % 1000;
      CountDownLatch go = new CountDownLatch(1);
      CountDownLatch producersDone = new CountDownLatch(1);
      CompletableFuture<Mailbox> made = new CompletableFuture<>();
      CompletableFuture<Long> ownerReceived = new CompletableFuture<>();
      Thread owner = Thread.ofPlatform().start(() -> {
        try {
          Mailbox m = mailboxOf(Thread.currentThread());
          made.complete(m);
          go.await();
          long received = 0;
          while (received < takeBeforeClose) {
            if (m.take(TimeUnit.SECONDS.toNanos(20)) == null) {
              throw new AssertionError("no message within 20 s");
            }
            received++;
          }
          m.close();
          ownerReceived.complete(received);
          producersDone.await(); // stay alive: offers may fail only because of close
        } catch (Throwable t) {
          made.completeExceptionally(t);
          ownerReceived.completeExceptionally(t);
        }
      });
      Mailbox m = made.get(20, TimeUnit.SECONDS);
      long before = Mailboxes.dropped();
      List<CompletableFuture<Integer>> sending = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        CompletableFuture<Integer> appended = new CompletableFuture<>();
        sending.add(appended);
        Thread.ofPlatform().start(() -> {
          try {
            go.await();
            int n = 0;
            for (int i = 0; i < perProducer; i++) {
              if (m.offer(i)) {
                n++;
              }
            }
            appended.complete(n);
          } catch (Throwable t) {
            appended.completeExceptionally(t);
          }
        });
      }
      go.countDown();
      for (CompletableFuture<Integer> appended : sending) {
        appended.get(20, TimeUnit.SECONDS);
      }
      long received = ownerReceived.get(20, TimeUnit.SECONDS);
      producersDone.countDown();
      owner.join();
      long dropped = Mailboxes.dropped() - before;
      assertThat(received).isEqualTo(takeBeforeClose);
      assertThat(received + dropped).as("round %d: received + dropped", round)
          .isEqualTo((long) producers * perProducer);
    }
  }

  /** "close keeps only the last node: earlier ones become garbage even if an Address outlives
   * us": unread messages of a closed mailbox are not retained by the mailbox. */
  @Test
  void close_addressOutlivesOwner_unreadMessagesBecomeGarbage() {
    Mailbox m = mailboxOf(Thread.currentThread());
    List<WeakReference<Object>> refs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Object message = new byte[1024];
      refs.add(new WeakReference<>(message));
      m.offer(message);
    }
    m.close();
    await("unread messages collected while the mailbox is held")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          return refs.stream().allMatch(r -> r.get() == null);
        });
    assertThat(m.isClosed()).isTrue(); // and m is still reachable here
  }

  @Test
  void takenMessages_areNotRetainedByTheMailbox() {
    Mailbox m = mailboxOf(Thread.currentThread());
    List<WeakReference<Object>> refs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Object message = new byte[1024];
      refs.add(new WeakReference<>(message));
      m.offer(message);
    }
    m.offer("stays");
    m.next(0);
    m.next(0);
    m.extractAndRewind(); // from the middle
    m.take(0); // the oldest
    m.takeMatching(x -> x instanceof byte[], 0); // selective
    await("taken messages collected")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          System.gc();
          return refs.stream().allMatch(r -> r.get() == null);
        });
    assertThat(takeAll(m)).containsExactly("stays");
  }

  @Test
  void offer_ownerTerminated_isDroppedAndCounted() throws Exception {
    Thread t = Thread.ofVirtual().start(() -> {});
    t.join();
    Mailbox m = mailboxOf(t);
    long before = Mailboxes.dropped();
    assertThat(m.offer("late")).isFalse();
    assertThat(Mailboxes.dropped() - before).isEqualTo(1);
  }

  @Test
  void offer_ownerNotStartedYet_isKept() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    Mailbox m = mailboxOf(t);
    assertThat(m.offer("early")).isTrue();
    m.close(); // count it now rather than when t is collected
  }

  // ------------------------------------------------------------------ identity

  @Test
  void equalsAndHashCode_followTheOwnerThread() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    Mailbox a = mailboxOf(t);
    Mailbox b = mailboxOf(t);
    Mailbox other = mailboxOf(Thread.ofVirtual().unstarted(() -> {}));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(other);
    assertThat(a.hashCode()).isEqualTo(Long.hashCode(t.threadId()));
    a.clear(); // as after the owner was collected
    assertThat(a).isEqualTo(a).isNotEqualTo(b);
    assertThat(b).isNotEqualTo(a);
  }

  @Test
  void toString_namesTheOwner_orSaysItEnded() {
    Thread v = Thread.ofVirtual().name("vee").unstarted(() -> {});
    Thread p = Thread.ofPlatform().name("pea").unstarted(() -> {});
    Thread unnamed = Thread.ofVirtual().unstarted(() -> {});
    assertThat(mailboxOf(v).toString())
        .isEqualTo("Address[virtual thread #" + v.threadId() + " \"vee\"]");
    assertThat(mailboxOf(p).toString()).isEqualTo("Address[thread #" + p.threadId() + " \"pea\"]");
    assertThat(mailboxOf(unnamed).toString())
        .isEqualTo("Address[virtual thread #" + unnamed.threadId() + "]");
    Mailbox cleared = mailboxOf(v);
    cleared.clear();
    assertThat(cleared.toString()).isEqualTo("Address[ended thread]");
  }
  /**
   * Spinning before a park is off on a fresh mailbox and after a wait that timed out (an idle
   * owner must not burn a processor); a fast exchange turns it on; whatever the mode, every
   * message of the exchange arrives, in order.
   */
  @Test
  void spinning_offWhenFreshOrIdle_onInAFastExchange() throws Exception {
    Mailbox m = mailboxOf(Thread.currentThread());
    assertThat(m.spinning()).isFalse();
    m.spinning(true);
    assertThat(m.take(TimeUnit.MILLISECONDS.toNanos(5))).isNull();
    assertThat(m.spinning()).as("a timed-out wait turns spinning off").isFalse();

    // ping-pong between two platform threads: some park is short, which turns spinning on
    Mailbox[] boxes = new Mailbox[2];
    CountDownLatch ready = new CountDownLatch(2);
    CompletableFuture<Boolean> sawSpinning = new CompletableFuture<>();
    int rounds = 20_000;
    Thread ponger = Thread.ofPlatform().unstarted(() -> {
      ready.countDown();
      awaitLatch(ready);
      for (int i = 0; i < rounds; i++) {
        Object v = boxes[1].take(Deadlines.FOREVER);
        if (v.equals(-1)) {
          return;
        }
        boxes[0].offer(v);
      }
    });
    boxes[1] = mailboxOf(ponger);
    Thread pinger = Thread.ofPlatform().unstarted(() -> {
      ready.countDown();
      awaitLatch(ready);
      boolean saw = false;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      for (int i = 0; i < rounds; i++) {
        boxes[1].offer(i);
        Object back = boxes[0].take(Deadlines.FOREVER);
        if (!Integer.valueOf(i).equals(back)) {
          sawSpinning.completeExceptionally(new AssertionError("got " + back + " for " + i));
          return;
        }
        saw |= boxes[0].spinning();
        if (saw && i >= 1_000 || System.nanoTime() > end) {
          boxes[1].offer(-1); // tells the ponger to stop early
          break;
        }
      }
      if (!saw) {
        boxes[1].offer(-1);
      }
      sawSpinning.complete(saw);
    });
    boxes[0] = mailboxOf(pinger);
    ponger.start();
    pinger.start();
    assertThat(sawSpinning.get(30, TimeUnit.SECONDS)).as("spinning turned on").isTrue();
    pinger.join();
    ponger.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(ponger.isAlive()).isFalse();
  }

  @Test
  void virtualSpins_noneByDefaultOnOneCarrier() {
    assertThat(Mailbox.defaultVirtualSpins(null, 2)).isEqualTo(32);
    assertThat(Mailbox.defaultVirtualSpins(null, 1)).isZero();
    assertThat(Mailbox.defaultVirtualSpins("1", 2)).isZero();
    assertThat(Mailbox.defaultVirtualSpins(" 1 ", 8)).isZero();
    assertThat(Mailbox.defaultVirtualSpins("4", 2)).isEqualTo(32);
    assertThat(Mailbox.defaultVirtualSpins("many", 2)).isEqualTo(32);
  }

  /**
   * A take that finds a backlog (a stream) turns spinning off, on platform and virtual threads
   * alike: an owner that parks when it catches up wakes to a batch, while one that spins keeps
   * in lock-step with its sender (docs/benchmarks.md, sessions 4 and 6).
   */
  @Test
  void spinning_aBacklogTurnsItOff() throws Exception {
    for (Thread.Builder builder : List.of(Thread.ofPlatform(), Thread.ofVirtual())) {
      CompletableFuture<List<Object>> seen = new CompletableFuture<>();
      Thread owner = builder.unstarted(() -> {
        Mailbox m = mailboxOf(Thread.currentThread());
        m.spinning(true);
        m.offer("a");
        Object only = m.take(Deadlines.FOREVER);
        boolean afterOne = m.spinning();
        m.offer("b");
        m.offer("c");
        Object first = m.take(Deadlines.FOREVER);
        seen.complete(List.of(only, afterOne, first, m.spinning(), m.take(Deadlines.FOREVER)));
      });
      owner.start();
      assertThat(seen.get(10, TimeUnit.SECONDS))
          .as(owner.isVirtual() ? "virtual owner" : "platform owner")
          .containsExactly("a", true, "b", false, "c");
      owner.join();
    }
  }

  /**
   * A backlog makes a virtual owner yield before it parks; a yield that brings nothing turns
   * that off, and the owner parks as before (here until its timeout).
   */
  @Test
  void yieldBeforePark_aBacklogTurnsItOnAnEmptyYieldOff() throws Exception {
    CompletableFuture<List<Object>> seen = new CompletableFuture<>();
    Thread owner = Thread.ofVirtual().start(() -> {
      Mailbox m = mailboxOf(Thread.currentThread());
      List<Object> log = new java.util.ArrayList<>();
      m.offer("a");
      log.add(m.take(Deadlines.FOREVER));
      log.add(m.yieldingBeforePark());
      m.offer("b");
      m.offer("c");
      log.add(m.take(Deadlines.FOREVER));
      log.add(m.yieldingBeforePark());
      log.add(m.take(Deadlines.FOREVER));
      log.add(m.yieldingBeforePark());
      log.add(String.valueOf(m.take(TimeUnit.MILLISECONDS.toNanos(20))));
      log.add(m.yieldingBeforePark());
      seen.complete(log);
    });
    assertThat(seen.get(10, TimeUnit.SECONDS))
        .containsExactly("a", false, "b", true, "c", true, "null", false);
    owner.join();
  }

  /**
   * What a yield's return looks at to tell a stream (two or more messages came) from an exchange
   * (one came): an empty mailbox, one message, two, and two across a chunk boundary.
   */
  @Test
  void yieldBeforePark_twoArrivedTellsAStreamFromAnExchange() throws Exception {
    CompletableFuture<List<Boolean>> seen = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      Mailbox m = mailboxOf(Thread.currentThread());
      List<Boolean> log = new java.util.ArrayList<>();
      log.add(m.twoArrivedAtHead());
      m.offer("a");
      log.add(m.twoArrivedAtHead());
      m.offer("b");
      log.add(m.twoArrivedAtHead());
      m.take(Deadlines.FOREVER);
      log.add(m.twoArrivedAtHead());
      m.offer("c"); // the first chunk has two slots: "c" starts the next one
      log.add(m.twoArrivedAtHead());
      seen.complete(log);
    });
    assertThat(seen.get(10, TimeUnit.SECONDS)).containsExactly(false, false, true, false, true);
  }

  /**
   * An owner that finds the next slot claimed but not yet written (a producer between its claim
   * and its write) waits for the write, without a park and without a wake-up from the producer,
   * and takes the message once it lands: in receive's untimed wait and in the timed one.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void take_slotClaimedButNotWritten_waitsForTheWriteAndTakesIt(boolean timed) throws Exception {
    CompletableFuture<Mailbox> made = new CompletableFuture<>();
    CountDownLatch claimed = new CountDownLatch(1);
    CompletableFuture<Object> taken = new CompletableFuture<>();
    Thread owner = Thread.ofPlatform().start(() -> {
      try {
        Mailbox m = mailboxOf(Thread.currentThread());
        made.complete(m);
        claimed.await();
        assertThat(m.take(0)).isEqualTo("a");
        taken.complete(timed ? m.take(TimeUnit.SECONDS.toNanos(30)) : m.take());
      } catch (Throwable t) {
        made.completeExceptionally(t);
        taken.completeExceptionally(t);
      }
    });
    Mailbox m = made.get(10, TimeUnit.SECONDS);
    m.offer("a"); // installs the first chunk: "a" in slot 0, slot 1 free
    Mailbox.Chunk c = tailChunk(m);
    assertThat(c.slots).hasSize(2);
    // what a producer's getAndAdd does before its write: slot 1 is claimed, still empty
    assertThat((int) CLAIMED_FIELD.getAndAdd(c, 1)).isEqualTo(1);
    claimed.countDown();
    assertThatThrownBy(() -> taken.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    SLOTS.setRelease(c.slots, 1, "b"); // the producer's write; no unpark follows
    assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo("b");
    owner.join();
  }

  private static final java.lang.invoke.VarHandle SLOTS =
      java.lang.invoke.MethodHandles.arrayElementVarHandle(Object[].class);
  private static final java.lang.invoke.VarHandle CLAIMED_FIELD;

  static {
    try {
      CLAIMED_FIELD = java.lang.invoke.MethodHandles.lookup()
          .findVarHandle(Mailbox.ChunkProducerSide.class, "claimed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The mailbox's tail chunk, read reflectively (a private field). */
  private static Mailbox.Chunk tailChunk(Mailbox m) throws ReflectiveOperationException {
    java.lang.reflect.Field tail = Mailbox.class.getDeclaredField("tail");
    tail.setAccessible(true);
    return (Mailbox.Chunk) tail.get(m);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
