package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.TestThreads.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory consistency effect: actions in a thread prior to sending a message happen-before
 * actions subsequent to the receipt of that message (by {@code receive} or {@code mailboxNext})
 * in the receiving thread. Plain (non-volatile, non-final) fields written before {@code send}
 * must be seen by the receiver, in the message and outside it.
 *
 * <p>A test cannot prove the absence of a data race (x86 is forgiving; jcstress would be the
 * tool); this one exercises the path many times on both kinds of thread, so that a regression
 * that reorders publication shows up on weaker hardware or under the JIT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HappensBeforeTest {
  private static final int SENDERS = 2;
  private static final int PER_SENDER = 100_000;

  /** A message whose fields are all plain and written after construction. */
  static final class Payload {
    int sender;
    int seq;
    long square;
    String text;
    int[] array;
    Payload inner;
  }

  /** How the receiver takes messages. */
  enum Taking {
    RECEIVE,
    MAILBOX_NEXT_THEN_EXTRACT,
    SELECTIVE
  }

  static Stream<Arguments> kindsAndTakings() {
    List<Arguments> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (Taking taking : Taking.values()) {
        all.add(Arguments.of(kind, taking));
      }
    }
    return all.stream();
  }

  private static Object take(Taking taking) {
    Duration stuck = Duration.ofSeconds(30);
    return switch (taking) {
      case RECEIVE -> receive(stuck);
      case MAILBOX_NEXT_THEN_EXTRACT -> {
        mailboxRewind();
        Object m = mailboxNext(stuck);
        mailboxExtractAndRewind();
        yield m;
      }
      case SELECTIVE -> receive(Payload.class, stuck);
    };
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("kindsAndTakings")
  void actionsBeforeSend_happenBefore_actionsAfterReceipt(Kind kind, Taking taking)
      throws Exception {
    int total = SENDERS * PER_SENDER;
    // written with plain stores by the senders before each send, read by the receiver after
    int[][] shared = new int[SENDERS][PER_SENDER];
    CountDownLatch go = new CountDownLatch(1);
    var receiver = TestThreads.spawn(kind, () -> {
      go.countDown();
      long bad = 0;
      String firstBad = null;
      for (int i = 0; i < total; i++) {
        Payload p = (Payload) take(taking);
        String problem = check(p, shared);
        if (problem != null) {
          bad++;
          if (firstBad == null) {
            firstBad = problem;
          }
        }
      }
      return firstBad == null ? "ok" : bad + " bad, first: " + firstBad;
    });
    List<TestThreads.Spawned<Integer>> senders = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      int sender = s;
      senders.add(TestThreads.spawn(kind, () -> {
        go.await();
        for (int seq = 0; seq < PER_SENDER; seq++) {
          shared[sender][seq] = seq + 1; // outside the message
          Payload p = new Payload();
          p.sender = sender;
          p.seq = seq;
          p.square = (long) seq * seq;
          p.text = "m" + seq;
          p.array = new int[] {seq, seq + 1, seq + 2};
          Payload inner = new Payload();
          inner.seq = -seq;
          p.inner = inner;
          send(receiver.thread(), p);
        }
        return PER_SENDER;
      }));
    }
    for (var s : senders) {
      assertThat(s.join()).isEqualTo(PER_SENDER);
    }
    assertThat(receiver.join()).isEqualTo("ok");
  }

  private static String check(Payload p, int[][] shared) {
    int seq = p.seq;
    if (shared[p.sender][seq] != seq + 1) {
      return "shared[" + p.sender + "][" + seq + "] = " + shared[p.sender][seq];
    }
    if (p.square != (long) seq * seq
        || p.text == null || !p.text.equals("m" + seq)
        || p.array == null || p.array.length != 3 || p.array[2] != seq + 2
        || p.inner == null || p.inner.seq != -seq) {
      return "payload " + p.sender + "/" + seq + " not fully visible";
    }
    return null;
  }
}
