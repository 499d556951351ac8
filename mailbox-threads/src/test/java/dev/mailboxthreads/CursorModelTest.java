package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The cursor invariant of {@code internal/Mailbox.java} (Gambit semantics): the cursor is the
 * message last returned by {@code mailboxNext}, or before the oldest message when rewound; every
 * receive rewinds; {@code mailboxExtractAndRewind} removes the message under the cursor, if any,
 * and rewinds. So a mailbox used by its own thread behaves exactly like a list plus an index,
 * whatever the operations, including the tombstones and unlinking that removal in the middle
 * and at the tail leaves behind.
 */
class CursorModelTest {
  private static final Duration Z = Duration.ZERO;

  /** One operation, applied to the real mailbox and to the model. */
  sealed interface Op {}

  record Send(Object value) implements Op {}

  record Receive() implements Op {}

  record Next() implements Op {}

  record Rewind() implements Op {}

  record ExtractAndRewind() implements Op {}

  record ReceiveMatching(Object value) implements Op {}

  record ReceiveText() implements Op {}

  record Size() implements Op {}

  /** Marks "timed out / nothing there" in results, so that null is never ambiguous. */
  private static final String NONE = "<none>";

  @Property(tries = 1000)
  void cursor_isTheMessageLastReturnedByNext_orBeforeOldestWhenRewound(
      @ForAll("operations") List<Op> ops) throws Exception {
    List<Object> real = TestThreads.spawn(() -> applyToMailbox(ops)).join();
    List<Object> model = applyToModel(ops);
    assertThat(real).containsExactlyElementsOf(model);
  }

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Object> values =
        Arbitraries.oneOf(Arbitraries.integers().between(0, 3).map(i -> (Object) i),
            Arbitraries.of("s0", "s1").map(s -> (Object) s));
    @SuppressWarnings("unchecked")
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        Tuple.of(6, values.map(v -> (Op) new Send(v))),
        Tuple.of(2, Arbitraries.just((Op) new Receive())),
        Tuple.of(5, Arbitraries.just((Op) new Next())),
        Tuple.of(1, Arbitraries.just((Op) new Rewind())),
        Tuple.of(3, Arbitraries.just((Op) new ExtractAndRewind())),
        Tuple.of(2, values.map(v -> (Op) new ReceiveMatching(v))),
        Tuple.of(1, Arbitraries.just((Op) new ReceiveText())),
        Tuple.of(1, Arbitraries.just((Op) new Size())));
    return op.list().ofMaxSize(80);
  }

  /** Runs on a fresh mailbox thread; returns each operation's result, then what is left. */
  private static List<Object> applyToMailbox(List<Op> ops) {
    List<Object> out = new ArrayList<>();
    for (Op op : ops) {
      out.add(switch (op) {
        case Send s -> {
          send(Thread.currentThread(), s.value());
          yield "sent";
        }
        case Receive r -> receive(Z, NONE);
        case Next n -> mailboxNext(Z, NONE);
        case Rewind r -> {
          mailboxRewind();
          yield "rewound";
        }
        case ExtractAndRewind e -> {
          mailboxExtractAndRewind();
          yield "extracted";
        }
        case ReceiveMatching m -> {
          try {
            yield receive(x -> x.equals(m.value()), Z);
          } catch (MailboxTimeoutException timedOut) {
            yield NONE;
          }
        }
        case ReceiveText t -> {
          try {
            yield receive(String.class, Z);
          } catch (MailboxTimeoutException timedOut) {
            yield NONE;
          }
        }
        case Size s -> mailboxSize();
      });
    }
    out.add("left:");
    out.addAll(TestThreads.drain());
    return out;
  }

  /** The reference: a list of messages, oldest first, and how many the cursor has passed. */
  private static List<Object> applyToModel(List<Op> ops) {
    List<Object> box = new ArrayList<>();
    int passed = 0; // 0: rewound; k: the cursor is on box.get(k - 1)
    List<Object> out = new ArrayList<>();
    for (Op op : ops) {
      switch (op) {
        case Send s -> {
          box.add(s.value());
          out.add("sent");
        }
        case Receive r -> {
          out.add(box.isEmpty() ? NONE : box.remove(0));
          passed = 0;
        }
        case Next n -> out.add(passed < box.size() ? box.get(passed++) : NONE);
        case Rewind r -> {
          passed = 0;
          out.add("rewound");
        }
        case ExtractAndRewind e -> {
          if (passed > 0) {
            box.remove(passed - 1);
          }
          passed = 0;
          out.add("extracted");
        }
        case ReceiveMatching m -> {
          int i = box.indexOf(m.value());
          out.add(i < 0 ? NONE : box.remove(i));
          passed = 0;
        }
        case ReceiveText t -> {
          int i = 0;
          while (i < box.size() && !(box.get(i) instanceof String)) {
            i++;
          }
          out.add(i == box.size() ? NONE : box.remove(i));
          passed = 0;
        }
        case Size s -> out.add(box.size());
      }
    }
    out.add("left:");
    out.addAll(box);
    return out;
  }
}
