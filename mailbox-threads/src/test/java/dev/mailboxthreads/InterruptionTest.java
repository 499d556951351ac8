package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.awaitParked;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.sendSelf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupts: a waiting thread wakes with {@link MailboxInterruptedException} and its interrupt
 * status still set, and its mailbox is left as it was.
 *
 * <p>What the code does for a thread that is <em>already</em> interrupted when it calls (found
 * in {@code Mailbox.await}): a message that is already there is returned and
 * the interrupt status is left set; only a call that would have to wait throws. A poll ({@link
 * Duration#ZERO}) never waits, so on an empty mailbox it times out even when interrupted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InterruptionTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  /** A blocking call; prepares the mailbox, blocks, and after the interrupt shows the mailbox. */
  enum Blocking {
    RECEIVE {
      @Override
      void block() {
        receive();
      }
    },
    RECEIVE_TIMED {
      @Override
      void block() {
        receive(LONG);
      }
    },
    RECEIVE_DEFAULT {
      @Override
      void block() {
        receive(LONG, "default");
      }
    },
    NEXT {
      @Override
      void prepare() {
        sendSelf("a", "b");
        mailboxNext();
        mailboxNext(); // cursor on b: the next call waits for a newer message
      }

      @Override
      void block() {
        mailboxNext();
      }

      @Override
      List<Object> after() {
        mailboxExtractAndRewind(); // the cursor did not move: removes b
        return drain();
      }

      @Override
      List<Object> expectedAfter() {
        return List.of("a");
      }
    },
    NEXT_TIMED {
      @Override
      void prepare() {
        NEXT.prepare();
      }

      @Override
      void block() {
        mailboxNext(LONG);
      }

      @Override
      List<Object> after() {
        return NEXT.after();
      }

      @Override
      List<Object> expectedAfter() {
        return NEXT.expectedAfter();
      }
    },
    NEXT_DEFAULT {
      @Override
      void prepare() {
        NEXT.prepare();
      }

      @Override
      void block() {
        mailboxNext(LONG, "default");
      }

      @Override
      List<Object> after() {
        return NEXT.after();
      }

      @Override
      List<Object> expectedAfter() {
        return NEXT.expectedAfter();
      }
    },
    SELECTIVE {
      @Override
      void block() {
        receive(m -> m.equals("never"));
      }
    },
    SELECTIVE_TIMED {
      @Override
      void block() {
        receive(m -> m.equals("never"), LONG);
      }
    },
    BY_TYPE {
      @Override
      void block() {
        receive(Long.class);
      }
    },
    BY_TYPE_TIMED {
      @Override
      void block() {
        receive(Long.class, LONG);
      }
    };

    /** Runs before blocking. By default puts two messages that do not wake the call, if any. */
    void prepare() {
      if (name().startsWith("SELECTIVE") || name().startsWith("BY_TYPE")) {
        sendSelf("a", "b");
        mailboxNext(); // selective receive rewinds first, wherever the cursor is
      }
    }

    abstract void block();

    /** Runs after the interrupt (status cleared): shows the mailbox. */
    List<Object> after() {
      Object first = mailboxNext(Duration.ZERO, "empty"); // rewound?
      List<Object> out = new ArrayList<>();
      out.add(first);
      out.addAll(drain());
      return out;
    }

    List<Object> expectedAfter() {
      return name().startsWith("SELECTIVE") || name().startsWith("BY_TYPE")
          ? List.of("a", "a", "b")
          : List.of("empty");
    }
  }

  static Stream<Arguments> kindsAndCalls() {
    List<Arguments> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      for (Blocking call : Blocking.values()) {
        all.add(Arguments.of(kind, call));
      }
    }
    return all.stream();
  }

  /** What the interrupted thread saw. */
  record Outcome(Throwable thrown, boolean stillInterrupted, boolean interruptedAgainAtOnce,
                 List<Object> mailboxAfter, Object receivedAfter) {}

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("kindsAndCalls")
  void blockedCall_interrupted_wakesWithMailboxInterruptedExceptionAndStatusKept(
      Kind kind, Blocking call) throws Exception {
    CountDownLatch aboutToBlock = new CountDownLatch(1);
    var blocked = TestThreads.spawn(kind, () -> {
      call.prepare();
      aboutToBlock.countDown();
      Throwable thrown = null;
      try {
        call.block();
      } catch (Throwable t) {
        thrown = t;
      }
      boolean stillInterrupted = Thread.currentThread().isInterrupted();
      // the status stays set: the next wait throws again at once, until someone clears it
      boolean again;
      try {
        call.block(); // the same call again: it has to wait, so it must throw at once
        again = false;
      } catch (MailboxInterruptedException e) {
        again = true;
      }
      Thread.interrupted();
      List<Object> after = call.after();
      // and the mailbox still works: nothing left behind from the interrupted wait
      sendSelf("works");
      Object received = receive(Duration.ofSeconds(5));
      return new Outcome(thrown, stillInterrupted, again, after, received);
    });
    aboutToBlock.await();
    awaitParked(blocked.thread());
    long t0 = System.nanoTime();
    blocked.thread().interrupt();
    Outcome o = blocked.join();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("woke promptly")
        .isLessThan(Duration.ofSeconds(10));
    assertThat(o.thrown()).isInstanceOf(MailboxInterruptedException.class);
    assertThat(o.thrown().getCause()).isNull();
    assertThat(o.stillInterrupted()).as("interrupt status kept").isTrue();
    assertThat(o.interruptedAgainAtOnce()).as("next wait throws again").isTrue();
    assertThat(o.mailboxAfter()).containsExactlyElementsOf(call.expectedAfter());
    assertThat(o.receivedAfter()).isEqualTo("works");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receive_interruptedBeforeCallOnEmptyMailbox_throwsAtOnce(Kind kind) throws Exception {
    List<Object> got = TestThreads.call(kind, () -> {
      List<Object> out = new ArrayList<>();
      Thread.currentThread().interrupt();
      assertThatThrownBy(MailboxThreads::receive).isInstanceOf(MailboxInterruptedException.class);
      out.add(Thread.currentThread().isInterrupted());
      assertThatThrownBy(() -> receive(LONG)).isInstanceOf(MailboxInterruptedException.class);
      assertThatThrownBy(() -> receive(LONG, "d")).isInstanceOf(MailboxInterruptedException.class);
      assertThatThrownBy(MailboxThreads::mailboxNext)
          .isInstanceOf(MailboxInterruptedException.class);
      assertThatThrownBy(() -> receive(m -> true, LONG))
          .isInstanceOf(MailboxInterruptedException.class);
      assertThatThrownBy(() -> receive(String.class))
          .isInstanceOf(MailboxInterruptedException.class);
      out.add(Thread.interrupted());
      return out;
    });
    assertThat(got).containsExactly(true, true);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receive_interruptedBeforeCallWithMessagePresent_returnsMessageAndKeepsStatus(Kind kind)
      throws Exception {
    List<Object> got = TestThreads.call(kind, () -> {
      List<Object> out = new ArrayList<>();
      sendSelf("a", "b", "c", 4);
      Thread.currentThread().interrupt();
      out.add(mailboxNext());
      out.add(receive());
      out.add(receive(LONG));
      out.add(receive(Integer.class));
      out.add(receive(m -> true, LONG));
      out.add(Thread.interrupted());
      return out;
    });
    assertThat(got).containsExactly("a", "a", "b", 4, "c", true);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receiveZero_interruptedOnEmptyMailbox_pollsAndTimesOut(Kind kind) throws Exception {
    List<Object> got = TestThreads.call(kind, () -> {
      List<Object> out = new ArrayList<>();
      Thread.currentThread().interrupt();
      out.add(receive(Duration.ZERO, "default"));
      assertThatThrownBy(() -> receive(Duration.ZERO))
          .isInstanceOf(MailboxTimeoutException.class);
      out.add(mailboxNext(Duration.ZERO, "default"));
      out.add(Thread.interrupted());
      return out;
    });
    assertThat(got).containsExactly("default", "default", true);
  }
}
