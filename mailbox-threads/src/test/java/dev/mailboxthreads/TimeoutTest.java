package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.sendSelf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.TestThreads.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Timeouts never return early (the documented invariant), on platform and virtual threads, for
 * every timed call; and they are not wildly late. Only the lower bound is strict: the upper bound
 * is generous because the machine is shared and noisy.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeoutTest {
  private static final Duration TIMEOUT = Duration.ofMillis(50);
  /** Lateness tolerated before a timeout counts as "not honoured"; scheduling noise, GC. */
  private static final Duration SLACK = Duration.ofSeconds(2);

  /** A timed call that times out; returns what it returned or threw (as a value). */
  @FunctionalInterface
  interface TimedCall {
    Object call(Duration timeout);
  }

  private static Object timeoutAsValue(TimedCall call, Duration timeout) {
    try {
      return call.call(timeout);
    } catch (MailboxTimeoutException e) {
      return e;
    }
  }

  /**
   * Each timed call, with what it does before waiting (so that the selective forms and
   * mailboxNext have messages to look at and skip) and what it must return on timeout.
   */
  static Stream<Arguments> timedCalls() {
    List<Arguments> all = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      all.add(Arguments.of(kind, "receive(timeout)", false, (TimedCall) d -> receive(d)));
      all.add(Arguments.of(kind, "receive(timeout, default)", false,
          (TimedCall) d -> receive(d, "default")));
      all.add(Arguments.of(kind, "mailboxNext(timeout) past the last", true,
          (TimedCall) d -> {
            mailboxNext(d);
            mailboxNext(d); // the two messages already there
            return mailboxNext(d);
          }));
      all.add(Arguments.of(kind, "mailboxNext(timeout, default) past the last", true,
          (TimedCall) d -> {
            mailboxNext(d, "default");
            mailboxNext(d, "default");
            return mailboxNext(d, "default");
          }));
      all.add(Arguments.of(kind, "receive(filter, timeout) with non-matching", true,
          (TimedCall) d -> receive(m -> m.equals("never"), d)));
      all.add(Arguments.of(kind, "receive(type, timeout) with other types", true,
          (TimedCall) d -> receive(Long.class, d)));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("timedCalls")
  void timeouts_neverReturnEarly(Kind kind, String name, boolean withMessages, TimedCall call)
      throws Exception {
    Function<Duration, Object> timed = d -> timeoutAsValue(call, d);
    long elapsedNanos = TestThreads.call(kind, () -> {
      if (withMessages) {
        sendSelf("one", "two");
      }
      long t0 = System.nanoTime();
      Object result = timed.apply(TIMEOUT);
      long elapsed = System.nanoTime() - t0;
      assertThat(result).satisfiesAnyOf(
          r -> assertThat(r).isEqualTo("default"),
          r -> assertThat(r).asInstanceOf(
                  InstanceOfAssertFactories.type(MailboxTimeoutException.class))
              .extracting(MailboxTimeoutException::timeout).isEqualTo(TIMEOUT));
      drain();
      return elapsed;
    });
    assertThat(elapsedNanos).as("never early").isGreaterThanOrEqualTo(TIMEOUT.toNanos());
    assertThat(Duration.ofNanos(elapsedNanos)).as("honoured").isLessThan(TIMEOUT.plus(SLACK));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("timedCalls")
  void timeouts_neverReturnEarly_manyShortWaits(Kind kind, String name, boolean withMessages,
      TimedCall call) throws Exception {
    // Short waits are where rounding (ms vs ns, truncation) would show.
    Duration shortTimeout = Duration.ofNanos(1_500_000); // 1.5 ms
    List<Long> elapsed = TestThreads.call(kind, () -> {
      List<Long> out = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        if (withMessages) {
          sendSelf("one", "two");
        }
        long t0 = System.nanoTime();
        timeoutAsValue(call, shortTimeout);
        out.add(System.nanoTime() - t0);
        drain();
      }
      return out;
    });
    assertThat(elapsed).allSatisfy(
        e -> assertThat(e).as("never early").isGreaterThanOrEqualTo(shortTimeout.toNanos()));
  }

  /**
   * Non-matching messages that keep arriving wake the selective receive again and again; the
   * deadline is computed once, so the wait still ends on time (neither restarted by each message
   * nor cut short by it).
   */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void selectiveReceive_nonMatchingMessagesKeepArriving_timeoutNeitherEarlyNorRestarted(
      Kind kind) throws Exception {
    Duration timeout = Duration.ofMillis(200);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch receiverReady = new CountDownLatch(1);
    CountDownLatch senderDone = new CountDownLatch(1);
    var receiver = TestThreads.spawn(kind, () -> {
      receiverReady.countDown();
      long t0 = System.nanoTime();
      Object result = timeoutAsValue(d -> receive(m -> m.equals("never"), d), timeout);
      long elapsed = System.nanoTime() - t0;
      stop.countDown();
      senderDone.await();
      int noise = drain().size();
      return new long[] {elapsed, noise, result instanceof MailboxTimeoutException ? 1 : 0};
    });
    var sender = TestThreads.spawn(() -> {
      receiverReady.await();
      int sent = 0;
      // one non-matching message about every 2 ms, for at most 3 s
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (!stop.await(2, TimeUnit.MILLISECONDS) && System.nanoTime() < until) {
        send(receiver.thread(), "noise");
        sent++;
      }
      senderDone.countDown();
      return sent;
    });
    long[] r = receiver.join();
    int sent = sender.join();
    assertThat(r[2]).as("timed out").isEqualTo(1);
    assertThat(r[0]).as("never early").isGreaterThanOrEqualTo(timeout.toNanos());
    assertThat(Duration.ofNanos(r[0])).as("not restarted").isLessThan(timeout.plus(SLACK));
    assertThat(sent).as("noise sent while waiting").isGreaterThan(0);
    assertThat(r[1]).as("every non-matching message still there").isEqualTo(sent);
  }
}
