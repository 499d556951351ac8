package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.awaitParked;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.sendSelf;
import static dev.mailboxthreads.TestThreads.spawn;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Gambit cursor: {@code mailboxNext}, {@code mailboxRewind}, {@code
 * mailboxExtractAndRewind}, and how {@code receive} interacts with it. {@link CursorModelTest}
 * checks random sequences of the same operations against a model.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CursorTest {
  private static final Duration Z = Duration.ZERO;

  @Test
  void mailboxNext_advancesFromOldestWithoutRemoving() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      List<Object> out = new ArrayList<>();
      out.add(mailboxNext(Z));
      out.add(mailboxNext(Z));
      out.add(mailboxNext(Z));
      out.add(mailboxSize());
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("a", "b", "c", 3, "a", "b", "c");
  }

  @Test
  void mailboxNext_pastTheLast_timesOutWithDefault() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a");
      return List.of(mailboxNext(Z, "none"), mailboxNext(Z, "none"));
    });
    assertThat(got).containsExactly("a", "none");
  }

  @Test
  void mailboxNext_onTimeout_doesNotMoveTheCursor() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a");
      List<Object> out = new ArrayList<>();
      out.add(mailboxNext(Z)); // a; cursor on a
      out.add(mailboxNext(Duration.ofMillis(5), "timeout")); // cursor stays on a
      sendSelf("b");
      out.add(mailboxNext(Z)); // b: neither a again nor skipped
      out.add(mailboxNext(Z, "timeout2")); // cursor stays on b
      mailboxExtractAndRewind(); // so this removes b
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("a", "timeout", "b", "timeout2", "a");
  }

  @Test
  void mailboxRewind_thenNext_returnsOldestAgain() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b");
      List<Object> out = new ArrayList<>();
      out.add(mailboxNext(Z));
      out.add(mailboxNext(Z));
      mailboxRewind();
      out.add(mailboxNext(Z));
      mailboxRewind();
      mailboxRewind(); // idempotent
      out.add(mailboxNext(Z));
      drain();
      return out;
    });
    assertThat(got).containsExactly("a", "b", "a", "a");
  }

  @Test
  void mailboxExtractAndRewind_removesMessageLastReturnedByNext() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      mailboxNext(Z);
      mailboxNext(Z); // b
      mailboxExtractAndRewind();
      List<Object> out = new ArrayList<>();
      out.add(mailboxNext(Z)); // rewound: a
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("a", "a", "c");
  }

  @Test
  void mailboxExtractAndRewind_onOldest_removesOldest() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      mailboxNext(Z); // a
      mailboxExtractAndRewind();
      return drain();
    });
    assertThat(got).containsExactly("b", "c");
  }

  /** The newest message has no successor yet: it is removed as a tombstone that later sends
   * must link past, without losing them. */
  @Test
  void mailboxExtractAndRewind_onNewest_laterSendsAreKeptInOrder() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      mailboxNext(Z);
      mailboxNext(Z);
      mailboxNext(Z); // c, the newest
      mailboxExtractAndRewind();
      List<Object> out = new ArrayList<>();
      out.add(mailboxSize());
      out.add(mailboxNext(Z));
      out.add(mailboxNext(Z));
      out.add(mailboxNext(Z, "end")); // the tombstone is skipped
      sendSelf("d", "e");
      out.add(mailboxNext(Z)); // the cursor (on b) goes on past the tombstone to d
      mailboxExtractAndRewind(); // removes d, whose predecessor (after unlinking) is b
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(2, "a", "b", "end", "d", "a", "b", "e");
  }

  @Test
  void mailboxExtractAndRewind_withoutPrecedingNext_onlyRewinds() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      List<Object> out = new ArrayList<>();
      mailboxExtractAndRewind(); // nothing returned by next yet: nothing removed
      out.add(mailboxSize());
      mailboxNext(Z);
      mailboxNext(Z);
      mailboxRewind();
      mailboxExtractAndRewind(); // next not called since the rewind: nothing removed
      out.add(mailboxSize());
      mailboxNext(Z);
      mailboxExtractAndRewind(); // removes a
      mailboxExtractAndRewind(); // already rewound: nothing removed
      out.add(mailboxSize());
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(3, 3, 2, "b", "c");
  }

  @Test
  void mailboxExtractAndRewind_afterReceive_onlyRewinds() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      mailboxNext(Z);
      mailboxNext(Z); // cursor on b
      List<Object> out = new ArrayList<>();
      out.add(receive(Z)); // a, and rewinds
      mailboxExtractAndRewind(); // nothing returned by next since the receive: removes nothing
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("a", "b", "c");
  }

  @Test
  void receive_afterMailboxNext_rewindsTheCursor() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c", "d");
      mailboxNext(Z);
      mailboxNext(Z);
      mailboxNext(Z); // cursor on c
      List<Object> out = new ArrayList<>();
      out.add(receive(Z)); // the oldest, a, whatever the cursor
      out.add(mailboxNext(Z)); // rewound: b
      out.add(receive(Duration.ofSeconds(1), "default")); // b
      out.add(mailboxNext(Z)); // c
      out.add(receive()); // c
      out.add(mailboxNext(Z)); // d
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("a", "b", "b", "c", "c", "d", "d");
  }

  @Test
  void selectiveReceive_afterMailboxNext_rewindsTheCursor() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", 3, "d");
      mailboxNext(Z);
      mailboxNext(Z); // cursor on b
      List<Object> out = new ArrayList<>();
      out.add(receive(Integer.class, Z)); // 3
      out.add(mailboxNext(Z)); // rewound: a
      out.add(receive(m -> m.equals("d"), Z));
      out.add(mailboxNext(Z)); // rewound: a
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(3, "a", "d", "a", "a", "b");
  }

  @Test
  void mailboxNext_emptyMailbox_waitsForMessageSentLater() throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    var receiver = spawn(() -> {
      ready.countDown();
      Object first = mailboxNext();
      Object size = mailboxSize();
      mailboxExtractAndRewind();
      return List.of(first, size, mailboxSize());
    });
    ready.await();
    awaitParked(receiver.thread());
    send(receiver.thread(), "later");
    assertThat(receiver.join()).containsExactly("later", 1, 0);
  }

  @Test
  void mailboxNext_cursorAtNewest_waitsForNewerMessageSentLater() throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    var receiver = spawn(() -> {
      sendSelf("a");
      mailboxNext(); // a
      ready.countDown();
      Object newer = mailboxNext(Duration.ofSeconds(30));
      mailboxExtractAndRewind(); // removes the newer one
      List<Object> out = new ArrayList<>();
      out.add(newer);
      out.addAll(drain());
      return out;
    });
    ready.await();
    awaitParked(receiver.thread());
    send(receiver.thread(), "b");
    assertThat(receiver.join()).containsExactly("b", "a");
  }

  /** A thread that never used its mailbox pays nothing: the cursor calls do not create one. */
  @Test
  void cursorCalls_onThreadWithoutMailbox_createNone() throws Exception {
    boolean had = TestThreads.call(() -> {
      mailboxRewind();
      mailboxExtractAndRewind();
      int size = mailboxSize();
      assertThat(size).isZero();
      return hasMailbox(Thread.currentThread());
    });
    assertThat(had).isFalse();
  }
}
