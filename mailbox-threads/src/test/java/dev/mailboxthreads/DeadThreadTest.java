package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.TestThreads.Kind;
import dev.mailboxthreads.internal.Mailboxes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Threads that have ended, threads not started yet, and {@link MailboxThreads#hasMailbox}.
 *
 * <p>{@link MailboxThreads#droppedCount()} is JVM-global, so these tests measure deltas; the
 * suite runs its classes one at a time and leaves no unread message in the mailbox of a thread
 * the library did not start (see {@link TestThreads}), so nothing else is dropped meanwhile.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadThreadTest {
  private static final Duration PATIENCE = TestThreads.PATIENCE;

  private static Thread startedAndEnded(Kind kind) throws InterruptedException {
    Thread t = start(kind.builder(), () -> {});
    assertThat(t.join(PATIENCE)).isTrue();
    return t;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void send_toTerminatedStartedThread_doesNotThrowAndCountsEachDrop(Kind kind) throws Exception {
    Thread t = startedAndEnded(kind);
    long before = droppedCount();
    for (int i = 0; i < 5; i++) {
      send(t, i);
    }
    assertThat(droppedCount() - before).isEqualTo(5);
    assertThat(hasMailbox(t)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void send_toTerminatedPlainThread_doesNotThrowAndCountsEachDrop(Kind kind) throws Exception {
    Thread t = kind.builder().start(() -> {});
    assertThat(t.join(PATIENCE)).isTrue();
    long before = droppedCount();
    for (int i = 0; i < 7; i++) {
      send(t, i);
    }
    assertThat(droppedCount() - before).isEqualTo(7);
    assertThat(hasMailbox(t)).as("sending to a dead thread creates no mailbox").isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unreadMessages_whenStartedThreadEnds_areCountedAsDroppedAtOnce(Kind kind)
      throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    var t = TestThreads.spawn(kind, () -> {
      sent.await();
      return receive(Duration.ZERO); // takes one of four
    });
    long before = droppedCount();
    for (int i = 0; i < 4; i++) {
      send(t.thread(), i);
    }
    sent.countDown();
    assertThat(t.join()).isEqualTo(0);
    assertThat(droppedCount() - before).isEqualTo(3);
    assertThat(hasMailbox(t.thread())).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unreadMessages_whenStartedThreadEndsByThrowing_areCountedAsDropped(Kind kind)
      throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    CompletableFuture<Throwable> uncaught = new CompletableFuture<>();
    Thread t = start(kind.builder().uncaughtExceptionHandler((th, e) -> uncaught.complete(e)),
        () -> {
          try {
            sent.await();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          throw new IllegalStateException("body failed");
        });
    long before = droppedCount();
    send(t, "a");
    send(t, "b");
    sent.countDown();
    assertThat(uncaught.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
        .hasMessage("body failed");
    assertThat(t.join(PATIENCE)).isTrue();
    assertThat(droppedCount() - before).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void address_keptAfterStartedThreadEnded_dropsAndCounts(Kind kind) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    var t = TestThreads.spawn(kind, () -> {
      release.await();
      return "done";
    });
    Address a = addressOf(t.thread());
    release.countDown();
    t.join();
    long before = droppedCount();
    a.send("x");
    a.send("y");
    send(a, "z");
    assertThat(droppedCount() - before).isEqualTo(3);
    assertThat(hasMailbox(t.thread())).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void address_keptAfterPlainThreadEnded_dropsAndCountsAtOnce(Kind kind) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Thread t = kind.builder().start(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Address a = addressOf(t);
    release.countDown();
    assertThat(t.join(PATIENCE)).isTrue();
    long before = droppedCount();
    a.send("x");
    send(a, "y");
    send(t, "z");
    assertThat(droppedCount() - before).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void trySend_tellsWhetherTheMessageWentIn(Kind kind) throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    var t = TestThreads.spawn(kind, () -> {
      release.await();
      return receive(Duration.ZERO);
    });
    long before = droppedCount();
    assertThat(trySend(t.thread(), "in")).isTrue();
    release.countDown();
    assertThat(t.join()).isEqualTo("in");
    assertThat(trySend(t.thread(), "too late")).isFalse();
    assertThat(droppedCount() - before).as("the refused one is counted too").isEqualTo(1);
    Thread unstarted = kind.builder().unstarted(() -> {});
    assertThat(trySend(unstarted, "early")).as("not started yet: kept").isTrue();
    Mailboxes.threadEnded(unstarted); // never started: count "early" now, not at GC time
  }

  @Test
  void trySend_nullArguments_throwNpeNamingThem() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    assertThatThrownBy(() -> trySend(null, "m"))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("thread");
    assertThatThrownBy(() -> trySend(t, null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("message");
  }

  @Test
  void droppedCount_receivedMessages_areNotCounted() throws Exception {
    long before = droppedCount();
    var t = TestThreads.spawn(() -> List.of(receive(), receive(Duration.ofSeconds(5))));
    send(t.thread(), "a");
    send(addressOf(t.thread()), "b");
    assertThat(t.join()).containsExactly("a", "b");
    assertThat(droppedCount() - before).isZero();
  }

  // ------------------------------------------------------------------ hasMailbox

  @Test
  void hasMailbox_threadThatNeverUsedItsMailbox_isFalse() throws Exception {
    Thread unstarted = Thread.ofVirtual().unstarted(() -> {});
    assertThat(hasMailbox(unstarted)).isFalse();
    boolean running = TestThreads.call(() -> hasMailbox(Thread.currentThread()));
    assertThat(running).isFalse();
  }

  @Test
  void hasMailbox_afterSendOrAddressOf_isTrue() {
    Thread sentTo = Thread.ofVirtual().unstarted(() -> {});
    Thread addressed = Thread.ofVirtual().unstarted(() -> {});
    send(sentTo, "m");
    addressOf(addressed);
    assertThat(hasMailbox(sentTo)).isTrue();
    assertThat(hasMailbox(addressed)).isTrue();
    // Never started, and unreachable after this test: the collector will reclaim them, and
    // the message left in sentTo's mailbox is counted then. Close them now instead, so that
    // the drop happens here and not in some other test's measurement.
    Mailboxes.threadEnded(sentTo);
    Mailboxes.threadEnded(addressed);
  }

  @Test
  void hasMailbox_afterReceiveOrSelf_isTrue() throws Exception {
    List<Boolean> got = TestThreads.call(() -> {
      List<Boolean> out = new ArrayList<>();
      receive(Duration.ZERO, null);
      out.add(hasMailbox(Thread.currentThread()));
      return out;
    });
    assertThat(got).containsExactly(true);
    boolean viaSelf = TestThreads.call(() -> {
      self();
      return hasMailbox(Thread.currentThread());
    });
    assertThat(viaSelf).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void hasMailbox_afterStartedThreadEnded_isFalse(Kind kind) throws Exception {
    var t = TestThreads.spawn(kind, () -> {
      receive(Duration.ZERO, null);
      return hasMailbox(Thread.currentThread());
    });
    assertThat(t.join()).isTrue();
    assertThat(hasMailbox(t.thread())).isFalse();
  }

  // ------------------------------------------------------------------ threads not started yet

  @ParameterizedTest
  @EnumSource(Kind.class)
  void unstarted_sentToBeforeStart_receivesOnceStarted(Kind kind) throws Exception {
    CompletableFuture<List<Object>> result = new CompletableFuture<>();
    Thread t = unstarted(kind.builder(), () -> {
      try {
        result.complete(List.of(receive(Duration.ZERO), receive(Duration.ZERO)));
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    long before = droppedCount();
    send(t, "early");
    addressOf(t).send("also early");
    assertThat(hasMailbox(t)).isTrue();
    assertThat(t.getState()).isEqualTo(Thread.State.NEW);
    t.start();
    assertThat(result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
        .containsExactly("early", "also early");
    assertThat(t.join(PATIENCE)).isTrue();
    assertThat(droppedCount() - before).isZero();
    assertThat(hasMailbox(t)).isFalse();
  }

  // ------------------------------------------------------------------ regressions

  /**
   * Regression test for the race between a sender and a library-started thread that is ending.
   * The wrapper that {@code start}/{@code unstarted} puts around the body closes the mailbox
   * and removes it from the registry in a {@code finally}, but the thread is still alive
   * afterwards (its uncaught-exception handler runs, then the JVM's thread-exit code). A {@code
   * send(thread, m)} in that window sees {@code isAlive()}, finds no mailbox in the registry and
   * creates a fresh, open one: the message is accepted, never received, and not counted as
   * dropped until the garbage collector reclaims the thread (never, while someone holds it); and
   * {@code hasMailbox} says true for a thread whose mailbox ended with its body. The
   * uncaught-exception handler holds the thread in that window here, deterministically.
   *
   * <p>Whether the late message is dropped at once or accepted and dropped when the mailbox
   * closes is left open; what must hold is that once the thread has ended it has been counted,
   * exactly once, and that no mailbox is left behind.
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void send_whileStartedThreadIsEnding_isCountedOnceByTheTimeItEnded(Kind kind)
      throws Exception {
    CountDownLatch bodyEnded = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread t = start(kind.builder().uncaughtExceptionHandler((th, e) -> {
      bodyEnded.countDown();
      try {
        release.await();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }), () -> {
      throw new IllegalStateException("end of body");
    });
    try {
      assertThat(bodyEnded.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(t.isAlive()).as("in the window: body returned, thread alive").isTrue();
      long before = droppedCount();
      send(t, "late");
      release.countDown();
      assertThat(t.join(PATIENCE)).isTrue();
      assertThat(droppedCount() - before).as("counted exactly once, by the time t ended")
          .isEqualTo(1);
      assertThat(hasMailbox(t)).as("no mailbox left behind").isFalse();
    } finally {
      release.countDown();
      t.join(PATIENCE);
      // With the bug, "late" sits in a mailbox the registry keeps until t is collected; close
      // it now so that its drop is not counted inside another test's measurement.
      Mailboxes.threadEnded(t);
    }
  }
}
