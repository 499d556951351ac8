package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.droppedCount;
import static dev.mailboxthreads.MailboxThreads.droppedWhenFullCount;
import static dev.mailboxthreads.MailboxThreads.limitMailbox;
import static dev.mailboxthreads.MailboxThreads.mailboxCapacity;
import static dev.mailboxthreads.MailboxThreads.mailboxSize;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.trySend;
import static dev.mailboxthreads.MailboxThreads.unlimitMailbox;
import static dev.mailboxthreads.TestThreads.PATIENCE;
import static dev.mailboxthreads.TestThreads.awaitParked;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.run;
import static dev.mailboxthreads.TestThreads.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Limited mailboxes: capacity and the three overflow policies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MailboxLimitTest {

  @Test
  void unlimited_byDefault() throws Exception {
    run(() -> assertThat(mailboxCapacity(Thread.currentThread())).isEqualTo(-1));
  }

  @Test
  void capacityBelowOne_isRejectedWithAHint() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    assertThatThrownBy(() -> limitMailbox(t, 0, Overflow.FAIL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1")
        .hasMessageContaining("unlimitMailbox");
  }

  @Test
  void fail_refusesWhenFull_sendThrows_trySendReturnsFalse_nothingCounted() throws Exception {
    run(() -> {
      Thread me = Thread.currentThread();
      limitMailbox(me, 3, Overflow.FAIL);
      assertThat(mailboxCapacity(me)).isEqualTo(3);
      long dropped = droppedCount();
      send(me, 1);
      send(me, 2);
      assertThat(trySend(me, 3)).isTrue();
      assertThatThrownBy(() -> send(me, 4))
          .isInstanceOf(MailboxFullException.class)
          .hasMessageContaining("full (limit 3 messages, Overflow.FAIL)")
          .hasMessageContaining("nothing was sent");
      assertThatThrownBy(() -> MailboxThreads.addressOf(me).send(4))
          .isInstanceOf(MailboxFullException.class);
      assertThat(trySend(me, 4)).isFalse();
      assertThat(droppedCount()).as("a refused send is not a drop").isEqualTo(dropped);
      assertThat(receive()).isEqualTo(1);
      send(me, 4); // room again
      assertThat(drain()).containsExactly(2, 3, 4);
    });
  }

  @Test
  void drop_keepsTheFirstAndCountsTheRest() throws Exception {
    run(() -> {
      Thread me = Thread.currentThread();
      limitMailbox(me, 2, Overflow.DROP);
      long dropped = droppedCount();
      long full = droppedWhenFullCount();
      for (int i = 0; i < 5; i++) {
        send(me, i);
      }
      assertThat(trySend(me, 5)).isFalse();
      assertThat(droppedWhenFullCount() - full).isEqualTo(4);
      assertThat(droppedCount() - dropped).isEqualTo(4);
      assertThat(drain()).containsExactly(0, 1);
    });
  }

  @Test
  void block_toOwnMailbox_failsInsteadOfWaitingForItself() throws Exception {
    run(() -> {
      Thread me = Thread.currentThread();
      limitMailbox(me, 1, Overflow.BLOCK);
      send(me, "a");
      assertThatThrownBy(() -> send(me, "b"))
          .isInstanceOf(MailboxFullException.class)
          .hasMessageContaining("its own thread");
      assertThat(drain()).containsExactly("a");
    });
  }

  @Test
  void block_slowsTheSenderToTheReceiver_neverMoreThanCapacity_allInOrder() throws Exception {
    int capacity = 4;
    int count = 2_000;
    TestThreads.Spawned<Integer> receiver = spawn(() -> {
      int max = 0;
      for (int i = 0; i < count; i++) {
        max = Math.max(max, mailboxSize());
        assertThat(receive(PATIENCE)).isEqualTo(i);
      }
      return max;
    });
    limitMailbox(receiver.thread(), capacity, Overflow.BLOCK);
    TestThreads.Spawned<Void> sender = spawn(() -> {
      for (int i = 0; i < count; i++) {
        send(receiver.thread(), i);
      }
      return null;
    });
    sender.join();
    assertThat(receiver.join()).isBetween(1, capacity);
  }

  @Test
  void block_waitsUntilTheReceiverTakesOne() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    TestThreads.Spawned<List<Object>> receiver = spawn(() -> {
      go.await();
      List<Object> got = new ArrayList<>();
      got.add(receive(PATIENCE));
      got.add(receive(PATIENCE));
      return got;
    });
    limitMailbox(receiver.thread(), 1, Overflow.BLOCK);
    send(receiver.thread(), "first");
    TestThreads.Spawned<Void> sender = spawn(() -> {
      send(receiver.thread(), "second");
      return null;
    });
    awaitParked(sender.thread());
    assertThat(sender.result()).as("blocked while full").isNotDone();
    go.countDown();
    sender.join();
    assertThat(receiver.join()).containsExactly("first", "second");
  }

  @Test
  void block_receiverEnds_blockedSenderReturns_bothMessagesCountedAsDropped() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    TestThreads.Spawned<Void> receiver = spawn(() -> {
      end.await();
      return null;
    });
    limitMailbox(receiver.thread(), 1, Overflow.BLOCK);
    long dropped = droppedCount();
    send(receiver.thread(), "unread");
    TestThreads.Spawned<Boolean> sender = spawn(() -> trySend(receiver.thread(), "blocked"));
    awaitParked(sender.thread());
    end.countDown();
    receiver.join();
    assertThat(sender.join()).isFalse();
    assertThat(droppedCount() - dropped).isEqualTo(2);
  }

  @Test
  void block_interruptedSender_throws_keepsInterruptStatus_sendsNothing() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    TestThreads.Spawned<List<Object>> receiver = spawn(() -> {
      end.await();
      return drain();
    });
    limitMailbox(receiver.thread(), 1, Overflow.BLOCK);
    send(receiver.thread(), "kept");
    TestThreads.Spawned<Boolean> sender = spawn(() -> {
      try {
        send(receiver.thread(), "never");
        return false;
      } catch (MailboxInterruptedException e) {
        return Thread.currentThread().isInterrupted();
      }
    });
    awaitParked(sender.thread());
    sender.thread().interrupt();
    assertThat(sender.join()).as("interrupt status kept").isTrue();
    end.countDown();
    assertThat(receiver.join()).containsExactly("kept");
  }

  @Test
  void unlimit_releasesBlockedSenders_andRelimitAppliesToNewMessagesOnly() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    TestThreads.Spawned<List<Object>> receiver = spawn(() -> {
      go.await();
      return drain();
    });
    Thread r = receiver.thread();
    send(r, "before-1");
    send(r, "before-2");
    limitMailbox(r, 1, Overflow.BLOCK); // the two already there do not count
    send(r, "a");
    TestThreads.Spawned<Void> sender = spawn(() -> {
      send(r, "b");
      return null;
    });
    awaitParked(sender.thread());
    unlimitMailbox(r);
    sender.join();
    assertThat(mailboxCapacity(r)).isEqualTo(-1);
    limitMailbox(r, 1, Overflow.FAIL);
    send(r, "c");
    assertThatThrownBy(() -> send(r, "d")).isInstanceOf(MailboxFullException.class);
    go.countDown();
    assertThat(receiver.join()).containsExactly("before-1", "before-2", "a", "b", "c");
  }

  @Test
  void selectiveReceiveAndExtract_giveThePlaceBack() throws Exception {
    run(() -> {
      Thread me = Thread.currentThread();
      limitMailbox(me, 2, Overflow.FAIL);
      send(me, "x");
      send(me, 7);
      assertThat(receive(Integer.class, Duration.ZERO)).isEqualTo(7);
      send(me, "y"); // the place 7 held
      assertThat(MailboxThreads.mailboxNext(Duration.ZERO)).isEqualTo("x");
      assertThat(MailboxThreads.mailboxNext(Duration.ZERO)).isEqualTo("y");
      MailboxThreads.mailboxExtractAndRewind(); // removes "y"
      send(me, "z");
      assertThat(trySend(me, "over")).isFalse();
      assertThat(drain()).containsExactly("x", "z");
    });
  }

  /** Many senders blocking on one small mailbox: nothing lost, each sender's order kept. */
  @Test
  void block_manySenders_smallMailbox_noLossNoReorder() throws Exception {
    int senders = 4;
    int each = 20_000;
    TestThreads.Spawned<Integer> receiver = spawn(() -> {
      int[] next = new int[senders];
      for (int i = 0; i < senders * each; i++) {
        long m = (Long) receive(PATIENCE);
        int s = (int) (m >>> 32);
        assertThat((int) m).as("sender %d in order", s).isEqualTo(next[s]);
        next[s]++;
      }
      return mailboxSize();
    });
    limitMailbox(receiver.thread(), 16, Overflow.BLOCK);
    AtomicInteger done = new AtomicInteger();
    List<TestThreads.Spawned<Void>> sending = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      long tag = (long) s << 32;
      sending.add(spawn(s % 2 == 0 ? TestThreads.Kind.PLATFORM : TestThreads.Kind.VIRTUAL, () -> {
        for (int i = 0; i < each; i++) {
          send(receiver.thread(), tag | i);
        }
        done.incrementAndGet();
        return null;
      }));
    }
    for (TestThreads.Spawned<Void> s : sending) {
      s.join();
    }
    assertThat(done).hasValue(senders);
    assertThat(receiver.join()).isZero();
  }
}
