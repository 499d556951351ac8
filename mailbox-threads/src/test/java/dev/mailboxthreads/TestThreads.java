package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Test fixtures: run a body on a fresh mailbox thread and surface what it returned or threw
 * through a {@link CompletableFuture}, never through a bare {@link Runnable}.
 *
 * <p>Bodies run on threads started with {@link MailboxThreads#start}, so that each test gets a
 * fresh, empty mailbox and whatever it leaves unread is counted as dropped as soon as the thread
 * ends, during that test. {@link MailboxThreads#droppedCount()} is JVM-global: a test that left
 * messages in the mailbox of a thread not started by the library would have them counted later,
 * when the garbage collector gets to that thread, inside some other test's measurement.
 */
final class TestThreads {
  /** How long a test waits for something that should happen at once. Generous: shared CI. */
  static final Duration PATIENCE = Duration.ofSeconds(20);

  private TestThreads() {}

  /** The two kinds of Java thread; every contract holds for both. */
  enum Kind {
    PLATFORM {
      @Override
      Thread.Builder builder() {
        return Thread.ofPlatform().daemon();
      }
    },
    VIRTUAL {
      @Override
      Thread.Builder builder() {
        return Thread.ofVirtual();
      }
    };

    /** A fresh builder (builders are not thread-safe, so never share one). */
    abstract Thread.Builder builder();
  }

  /** A body that may throw anything, run for its effects. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /**
   * A thread started with {@link MailboxThreads#start} and the outcome of its body.
   *
   * @param thread the thread
   * @param result completes with the body's value or exception
   * @param <T> what the body returns
   */
  record Spawned<T>(Thread thread, CompletableFuture<T> result) {
    /**
     * Waits for the body's outcome and then for the thread to end, so that its mailbox is closed
     * (and leftovers counted) when this returns. Rethrows what the body threw.
     */
    T join() throws Exception {
      T value;
      try {
        value = result.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        thread.join(PATIENCE);
        throw rethrow(e.getCause());
      }
      assertThat(thread.join(PATIENCE)).as("%s ended", thread).isTrue();
      return value;
    }
  }

  /** Starts {@code body} on a new mailbox thread of {@code kind}. */
  static <T> Spawned<T> spawn(Kind kind, Callable<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t = start(kind.builder(), () -> {
      try {
        result.complete(body.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    return new Spawned<>(t, result);
  }

  /** Starts {@code body} on a new virtual mailbox thread. */
  static <T> Spawned<T> spawn(Callable<T> body) {
    return spawn(Kind.VIRTUAL, body);
  }

  /** Runs {@code body} on a new mailbox thread of {@code kind}, waits for it, returns its value. */
  static <T> T call(Kind kind, Callable<T> body) throws Exception {
    return spawn(kind, body).join();
  }

  /** Runs {@code body} on a new virtual mailbox thread, waits for it, returns its value. */
  static <T> T call(Callable<T> body) throws Exception {
    return call(Kind.VIRTUAL, body);
  }

  /** Runs {@code body} on a new virtual mailbox thread and waits for it. */
  static void run(Body body) throws Exception {
    call(() -> {
      body.run();
      return null;
    });
  }

  /** Waits until {@code t} is parked (WAITING or TIMED_WAITING), i.e. blocked in a receive. */
  static void awaitParked(Thread t) {
    await("thread parked: " + t)
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> {
          Thread.State s = t.getState();
          return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
  }

  /**
   * Removes every message now in the calling thread's mailbox, oldest first, without waiting.
   *
   * @return the messages
   */
  static List<Object> drain() {
    List<Object> out = new ArrayList<>();
    for (Object m; (m = MailboxThreads.receive(Duration.ZERO, null)) != null; ) {
      out.add(m);
    }
    return out;
  }

  /** Sends each of {@code messages} to the calling thread, in order. */
  static void sendSelf(Object... messages) {
    for (Object m : messages) {
      MailboxThreads.send(Thread.currentThread(), m);
    }
  }

  private static Exception rethrow(Throwable t) {
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof Exception e) {
      return e;
    }
    return new RuntimeException(t);
  }
}
