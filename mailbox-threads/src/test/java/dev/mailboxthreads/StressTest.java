package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.TestThreads.Kind;
import dev.mailboxthreads.TestThreads.Spawned;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many senders, one receiver: the documented invariant "messages from one sender arrive in the
 * order they were sent; nothing is lost or duplicated while the receiver lives", under
 * contention, for platform and virtual senders and receivers, and while the receiver removes from
 * the middle of the list (selective receive, the cursor) as producers append at its end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StressTest {
  private static final int SENDERS = 8;
  private static final int PER_SENDER = 200_000;
  /** A receive that waits longer than this means a lost message or a lost wake-up. */
  private static final Duration STUCK = Duration.ofSeconds(30);

  /** Message {@code seq} of sender {@code sender}. */
  record Seq(int sender, int seq) {}

  /** The same, a different type, for selective receive by type. */
  record OtherSeq(int sender, int seq) {}

  /** Checks per-sender order; counts; remembers the first violation. */
  static final class OrderCheck {
    final int[] expected;
    String firstViolation;
    long received;

    OrderCheck(int senders) {
      expected = new int[senders];
    }

    void accept(int sender, int seq) {
      received++;
      if (firstViolation == null && seq != expected[sender]) {
        firstViolation = "sender " + sender + ": got " + seq + ", expected " + expected[sender];
      }
      expected[sender] = seq + 1;
    }

    void accept(Object m) {
      if (m instanceof Seq s) {
        accept(s.sender(), s.seq());
      } else if (m instanceof OtherSeq s) {
        accept(s.sender(), s.seq());
      } else {
        firstViolation = "unexpected " + m;
      }
    }
  }

  /** What the receiver saw, and what was left in its mailbox after the last expected one. */
  record Result(OrderCheck check, Object leftover) {}

  static Stream<Arguments> senderAndReceiverKinds() {
    return Stream.of(
        Arguments.of(Kind.PLATFORM, Kind.PLATFORM),
        Arguments.of(Kind.VIRTUAL, Kind.PLATFORM),
        Arguments.of(Kind.VIRTUAL, Kind.VIRTUAL));
  }

  /** Starts {@code n} senders of {@code kind} once {@code go} opens; sender i runs body(i). */
  private static List<Spawned<Integer>> senders(Kind kind, int n, CountDownLatch go,
      SenderBody body) {
    List<Spawned<Integer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int id = i;
      out.add(TestThreads.spawn(kind, () -> {
        go.await();
        return body.send(id);
      }));
    }
    return out;
  }

  /** What sender {@code id} does; returns how many it sent. */
  @FunctionalInterface
  interface SenderBody {
    int send(int id) throws Exception;
  }

  @ParameterizedTest(name = "senders {0}, receiver {1}")
  @MethodSource("senderAndReceiverKinds")
  void messagesFromOneSender_arriveInOrder_nothingLostOrDuplicated(Kind senderKind,
      Kind receiverKind) throws Exception {
    long total = (long) SENDERS * PER_SENDER;
    CountDownLatch go = new CountDownLatch(1);
    var receiver = TestThreads.spawn(receiverKind, () -> {
      OrderCheck check = new OrderCheck(SENDERS);
      go.countDown();
      for (long i = 0; i < total; i++) {
        Seq s = (Seq) receive(STUCK);
        check.accept(s.sender(), s.seq());
      }
      return new Result(check, receive(Duration.ZERO, null)); // a duplicate would be left over
    });
    Address address = addressOf(receiver.thread());
    var senders = senders(senderKind, SENDERS, go, id -> {
      for (int seq = 0; seq < PER_SENDER; seq++) {
        if (id % 2 == 0) {
          send(receiver.thread(), new Seq(id, seq)); // by thread: looks the mailbox up
        } else {
          address.send(new Seq(id, seq)); // by address: cached
        }
      }
      return PER_SENDER;
    });
    for (var s : senders) {
      assertThat(s.join()).isEqualTo(PER_SENDER);
    }
    Result r = receiver.join();
    assertThat(r.check().firstViolation).isNull();
    assertThat(r.check().received).isEqualTo(total);
    assertThat(r.check().expected).containsOnly(PER_SENDER);
    assertThat(r.leftover()).as("no duplicate left over").isNull();
  }

  /**
   * The receiver takes messages out of the middle of the list while producers append: by
   * predicate, by type, with the cursor by hand (next until a match, extract), and plainly.
   * Covers the tombstone protocol ("no write to next is ever lost"): extraction of the newest
   * node races with a producer linking after it.
   */
  @ParameterizedTest(name = "senders {0}, receiver {1}")
  @MethodSource("senderAndReceiverKinds")
  void selectiveAndCursorReceive_whileSendersAppend_keepPerSenderOrder(Kind senderKind,
      Kind receiverKind) throws Exception {
    int senders = 4;
    int perSender = 50_000;
    // Per-sender credits bound the backlog (selective receive scans it: without a bound the test
    // is quadratic), yet leave each sender free to run ahead of the receiver: a receiver waiting
    // for sender i never waits on a sender starved of credits by the others.
    Semaphore[] credits = new Semaphore[senders];
    for (int i = 0; i < senders; i++) {
      credits[i] = new Semaphore(64);
    }
    CountDownLatch go = new CountDownLatch(1);
    var receiver = TestThreads.spawn(receiverKind, () -> {
      OrderCheck check = new OrderCheck(senders);
      go.countDown();
      int[] got = new int[senders];
      int done = 0;
      for (int round = 0; done < senders; round++) {
        int want = round % senders;
        if (got[want] == perSender) {
          continue;
        }
        Object m = switch (round % 4) {
          case 0 -> receive(x -> x instanceof Seq s && s.sender() == want
              || x instanceof OtherSeq o && o.sender() == want, STUCK);
          case 1 -> byHand(want, STUCK);
          case 2 -> want % 2 == 1
              ? receive(OtherSeq.class, STUCK) // odd senders send OtherSeq
              : receive(x -> x instanceof Seq s && s.sender() == want, STUCK);
          default -> receive(STUCK); // whatever is oldest, from any sender
        };
        int sender = m instanceof Seq s ? s.sender() : ((OtherSeq) m).sender();
        credits[sender].release();
        check.accept(m);
        if (++got[sender] == perSender) {
          done++;
        }
      }
      return new Result(check, receive(Duration.ZERO, null));
    });
    var sending = senders(senderKind, senders, go, id -> {
      for (int seq = 0; seq < perSender; seq++) {
        credits[id].acquire();
        send(receiver.thread(), id % 2 == 0 ? new Seq(id, seq) : new OtherSeq(id, seq));
      }
      return perSender;
    });
    for (var s : sending) {
      assertThat(s.join()).isEqualTo(perSender);
    }
    Result r = receiver.join();
    assertThat(r.check().firstViolation).isNull();
    assertThat(r.check().received).isEqualTo((long) senders * perSender);
    assertThat(r.check().expected).containsOnly(perSender);
    assertThat(r.leftover()).as("no duplicate left over").isNull();
  }

  /** Gambit's selective receive written with the cursor: next until sender matches, extract. */
  private static Object byHand(int sender, Duration stuck) {
    mailboxRewind();
    for (;;) {
      Object m = mailboxNext(stuck);
      int s = m instanceof Seq q ? q.sender() : ((OtherSeq) m).sender();
      if (s == sender) {
        mailboxExtractAndRewind();
        return m;
      }
    }
  }

  /**
   * The owner repeatedly extracts the newest message it can see (the node whose next is still
   * null, left as a tombstone) while a producer links after exactly that node: every message must
   * still be seen exactly once.
   */
  @Test
  void noWriteToNextIsEverLost_extractingTheNewestWhileProducersAppend() throws Exception {
    int producers = 2;
    int perProducer = 50_000;
    int total = producers * perProducer;
    // credits keep the backlog short, so that walking to the newest message stays cheap and the
    // newest message is usually the one a producer is linking after
    Semaphore credits = new Semaphore(32);
    CountDownLatch go = new CountDownLatch(1);
    var receiver = TestThreads.spawn(Kind.PLATFORM, () -> {
      BitSet seen = new BitSet(total);
      int duplicates = 0;
      go.countDown();
      for (int count = 0; count < total; count++) {
        int id;
        if (count % 2 == 0) {
          // walk to the newest visible message, then extract it
          mailboxRewind();
          Object last = mailboxNext(STUCK);
          for (Object m; (m = mailboxNext(Duration.ZERO, null)) != null; ) {
            last = m;
          }
          mailboxExtractAndRewind();
          id = (Integer) last;
        } else {
          id = (Integer) receive(STUCK);
        }
        credits.release();
        if (seen.get(id)) {
          duplicates++;
        }
        seen.set(id);
      }
      return new int[] {seen.cardinality(), duplicates, mailboxSize()};
    });
    var sending = senders(Kind.PLATFORM, producers, go, id -> {
      for (int i = 0; i < perProducer; i++) {
        credits.acquire();
        send(receiver.thread(), id * perProducer + i);
      }
      return perProducer;
    });
    for (var s : sending) {
      s.join();
    }
    int[] r = receiver.join();
    assertThat(r[0]).as("distinct messages seen").isEqualTo(total);
    assertThat(r[1]).as("duplicates").isZero();
    assertThat(r[2]).as("left over").isZero();
  }

  /**
   * Ping-pong: each side parks for every message. A lost wake-up (the owner publishes itself in
   * {@code waiter} and re-checks while the producer links and reads {@code waiter}) leaves both
   * sides parked forever, which the receive timeout turns into a failure.
   */
  @ParameterizedTest(name = "{0} and {1}")
  @MethodSource("senderAndReceiverKinds")
  void parkedOwner_isAlwaysWoken_noLostWakeup(Kind a, Kind b) throws Exception {
    int rounds = 20_000;
    CountDownLatch ready = new CountDownLatch(1);
    var pong = TestThreads.spawn(b, () -> {
      ready.countDown();
      for (int i = 0; i < rounds; i++) {
        Object[] m = (Object[]) receive(STUCK);
        ((Address) m[0]).send(m[1]);
      }
      return rounds;
    });
    var ping = TestThreads.spawn(a, () -> {
      ready.await();
      Address me = self();
      int ok = 0;
      for (int i = 0; i < rounds; i++) {
        send(pong.thread(), new Object[] {me, i});
        if (receive(STUCK).equals(i)) {
          ok++;
        }
      }
      return ok;
    });
    assertThat(ping.join()).isEqualTo(rounds);
    assertThat(pong.join()).isEqualTo(rounds);
  }
}
