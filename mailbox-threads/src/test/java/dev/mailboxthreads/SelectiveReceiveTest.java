package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.awaitParked;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.sendSelf;
import static dev.mailboxthreads.TestThreads.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.TestThreads.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Selective receive: by predicate and by type, Erlang style, built on the cursor. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectiveReceiveTest {
  private static final Duration Z = Duration.ZERO;

  record Ping(int n) {}

  record Pong(int n) {}

  @Test
  void receivePredicate_takesOldestMatch_othersStayInOrder() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf(1, 2, 3, 4, 5, 6);
      List<Object> out = new ArrayList<>();
      Predicate<Object> even = m -> ((Integer) m) % 2 == 0;
      out.add(receive(even, Z)); // 2
      out.add(receive(even, Duration.ofSeconds(1))); // 4
      out.add(receive(even)); // 6
      out.add("left:");
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(2, 4, 6, "left:", 1, 3, 5);
  }

  @Test
  void receiveClass_takesOldestInstance_othersStayInOrder() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf(new Ping(1), new Pong(1), "text", new Pong(2), new Ping(2), 7L);
      List<Object> out = new ArrayList<>();
      Pong pong = receive(Pong.class, Z);
      out.add(pong);
      out.add(receive(Number.class, Duration.ofSeconds(1))); // subclasses match: 7L
      out.add(receive(Pong.class)); // Pong(2)
      out.add(receive(CharSequence.class, Z)); // "text"
      out.add("left:");
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(
        new Pong(1), 7L, new Pong(2), "text", "left:", new Ping(1), new Ping(2));
  }

  @Test
  void receivePredicate_matchIsNewest_takenAndOthersKept() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      List<Object> out = new ArrayList<>();
      out.add(receive(m -> m.equals("c"), Z)); // newest: left as a tombstone at the tail
      sendSelf("d");
      out.add(receive(m -> m.equals("d"), Z));
      sendSelf("e");
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("c", "d", "a", "b", "e");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receivePredicate_matchSentLaterByAnotherThread_waitsForIt(Kind kind) throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    CountDownLatch allSent = new CountDownLatch(1);
    var receiver = TestThreads.spawn(kind, () -> {
      sendSelf("a", "b");
      ready.countDown();
      Object match = receive(m -> m instanceof Integer, Duration.ofSeconds(30));
      allSent.await();
      List<Object> out = new ArrayList<>();
      out.add(match);
      out.addAll(drain());
      return out;
    });
    ready.await();
    awaitParked(receiver.thread());
    send(receiver.thread(), "c"); // not a match: it goes on waiting
    send(receiver.thread(), 42);
    send(receiver.thread(), "d");
    allSent.countDown();
    assertThat(receiver.join()).containsExactly(42, "a", "b", "c", "d");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receiveClass_instanceSentLaterByAnotherThread_waitsForIt(Kind kind) throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    var receiver = TestThreads.spawn(kind, () -> {
      sendSelf(new Ping(1));
      ready.countDown();
      Pong pong = receive(Pong.class);
      List<Object> out = new ArrayList<>();
      out.add(pong);
      out.addAll(drain());
      return out;
    });
    ready.await();
    awaitParked(receiver.thread());
    send(receiver.thread(), new Ping(2));
    awaitParked(receiver.thread());
    send(receiver.thread(), new Pong(9));
    assertThat(receiver.join()).containsExactly(new Pong(9), new Ping(1), new Ping(2));
  }

  @Test
  void receivePredicate_timeout_leavesEveryMessageInOrderAndRewound() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c");
      mailboxNext(Z); // the cursor is somewhere; selective receive rewinds whatever happens
      List<Object> out = new ArrayList<>();
      try {
        receive(m -> m.equals("z"), Duration.ofMillis(20));
        out.add("no timeout?");
      } catch (MailboxTimeoutException e) {
        out.add("timeout");
      }
      try {
        receive(Integer.class, Duration.ofMillis(20));
        out.add("no timeout?");
      } catch (MailboxTimeoutException e) {
        out.add("timeout");
      }
      out.add(mailboxNext(Z)); // rewound: the oldest
      out.add(mailboxSize());
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly("timeout", "timeout", "a", 3, "a", "b", "c");
  }

  @Test
  void receivePredicate_predicateThrows_propagatesAndLeavesMailboxIntactAndRewound()
      throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "bad", "c");
      List<Object> out = new ArrayList<>();
      mailboxNext(Z);
      mailboxNext(Z);
      try {
        receive(m -> {
          if (m.equals("bad")) {
            throw boom;
          }
          return m.equals("c");
        }, Duration.ofSeconds(1));
        out.add("no exception?");
      } catch (IllegalStateException e) {
        out.add(e);
      }
      out.add(mailboxNext(Z)); // rewound
      mailboxRewind();
      mailboxExtractAndRewind(); // after a rewind: must remove nothing
      out.add(mailboxSize());
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(boom, "a", 4, "a", "b", "bad", "c");
  }

  /** The documented contract: the filter sees each message at most once per call. */
  @Test
  void receivePredicate_testsEachMessageAtMostOncePerCall() throws Exception {
    CountDownLatch ready = new CountDownLatch(1);
    List<Object> tested = Collections.synchronizedList(new ArrayList<>());
    var receiver = spawn(() -> {
      sendSelf("a", "b");
      ready.countDown();
      return receive(m -> {
        tested.add(m);
        return m.equals("match");
      }, Duration.ofSeconds(30));
    });
    ready.await();
    awaitParked(receiver.thread());
    send(receiver.thread(), "c");
    awaitParked(receiver.thread());
    send(receiver.thread(), "match");
    assertThat(receiver.join()).isEqualTo("match");
    assertThat(tested).containsExactly("a", "b", "c", "match");
  }

  @Test
  void receivePredicate_noMatchAmongMany_eachTestedOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    int left = TestThreads.call(() -> {
      for (int i = 0; i < 10_000; i++) {
        send(Thread.currentThread(), i);
      }
      assertThatThrownBy(() -> receive(m -> calls.incrementAndGet() < 0, Z))
          .isInstanceOf(MailboxTimeoutException.class);
      return drain().size();
    });
    assertThat(calls).hasValue(10_000);
    assertThat(left).isEqualTo(10_000);
  }

  /** Selective receive is the Gambit idiom written by hand: the same result. */
  @Test
  void receivePredicate_equalsHandWrittenCursorLoop() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf(1, 2, 3, 4, 5, 6, 7, 8);
      List<Object> out = new ArrayList<>();
      // hand-written: next until a multiple of 3, then extract
      mailboxRewind();
      for (Object m; (m = mailboxNext(Z, null)) != null; ) {
        if ((Integer) m % 3 == 0) {
          mailboxExtractAndRewind();
          out.add(m);
          break;
        }
      }
      out.add(receive(m -> (Integer) m % 3 == 0, Z));
      out.addAll(drain());
      return out;
    });
    assertThat(got).containsExactly(3, 6, 1, 2, 4, 5, 7, 8);
  }
}
