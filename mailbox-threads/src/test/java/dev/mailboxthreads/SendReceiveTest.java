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
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** send and receive: order, argument checks, timeouts as values, polling, huge durations. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendReceiveTest {

  // ------------------------------------------------------------------ order

  @Test
  void receive_messagesFromOneSender_returnsThemInSendOrder() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      IntStream.range(0, 1000).forEach(i -> send(Thread.currentThread(), i));
      return drain();
    });
    assertThat(got).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
  }

  @Test
  void receive_fromAnotherThread_returnsMessagesInSendOrder() throws Exception {
    CountDownLatch receiverReady = new CountDownLatch(1);
    var receiver = spawn(() -> {
      receiverReady.countDown();
      return List.of(receive(), receive(), receive());
    });
    receiverReady.await();
    send(receiver.thread(), "a");
    send(receiver.thread(), "b");
    send(addressOf(receiver.thread()), "c");
    assertThat(receiver.join()).containsExactly("a", "b", "c");
  }

  @Test
  void receive_anyObject_returnsTheSameInstanceNotACopy() throws Exception {
    int[] payload = {1, 2, 3};
    Object got = TestThreads.call(() -> {
      send(Thread.currentThread(), payload);
      return receive(Duration.ZERO);
    });
    assertThat(got).isSameAs(payload);
  }

  @Test
  void send_toThreadThatNeverReceives_neverBlocks() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    var idle = spawn(() -> {
      release.await();
      return mailboxSize();
    });
    for (int i = 0; i < 200_000; i++) {
      send(idle.thread(), i); // unbounded: would hang (and hit @Timeout) if send could block
    }
    release.countDown();
    assertThat(idle.join()).isEqualTo(200_000);
  }

  @Test
  void mailboxSize_countsWaitingMessagesOnly() throws Exception {
    List<Integer> sizes = TestThreads.call(() -> {
      int before = mailboxSize();
      sendSelf("a", "b", "c");
      int three = mailboxSize();
      receive();
      int two = mailboxSize();
      drain();
      return List.of(before, three, two, mailboxSize());
    });
    assertThat(sizes).containsExactly(0, 3, 2, 0);
  }

  // ------------------------------------------------------------------ null arguments

  @Test
  void send_nullMessage_throwsNpeNamingMessage() {
    Thread t = Thread.ofVirtual().unstarted(() -> {});
    Address a = addressOf(t);
    assertThatThrownBy(() -> send(t, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("message");
    assertThatThrownBy(() -> send(a, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("message");
    assertThatThrownBy(() -> a.send(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("message");
  }

  @Test
  void send_nullThreadOrAddress_throwsNpeNamingIt() {
    assertThatThrownBy(() -> send((Thread) null, "m"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("thread");
    assertThatThrownBy(() -> send((Address) null, "m"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("address");
    assertThatThrownBy(() -> addressOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("thread");
    assertThatThrownBy(() -> hasMailbox(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("thread");
  }

  @Test
  void receive_nullArguments_throwNpeNamingThem() throws Exception {
    TestThreads.run(() -> {
      assertThatThrownBy(() -> receive((Duration) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("timeout");
      assertThatThrownBy(() -> receive((Duration) null, "d"))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("timeout");
      assertThatThrownBy(() -> mailboxNext((Duration) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("timeout");
      assertThatThrownBy(() -> receive((Predicate<Object>) null, Duration.ZERO))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("filter");
      assertThatThrownBy(() -> receive((Class<?>) null, Duration.ZERO))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("type");
      assertThatThrownBy(() -> receive((Predicate<Object>) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("filter");
      assertThatThrownBy(() -> receive((Class<?>) null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("type");
      assertThatThrownBy(() -> receive(x -> true, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("timeout");
    });
  }

  // ------------------------------------------------------------------ timeouts as values

  @Test
  void receiveTimed_emptyMailbox_throwsMailboxTimeoutExceptionWithTheTimeout() throws Exception {
    Duration timeout = Duration.ofMillis(20);
    MailboxTimeoutException e = TestThreads.call(() -> {
      try {
        receive(timeout);
        return null;
      } catch (MailboxTimeoutException thrown) {
        return thrown;
      }
    });
    assertThat(e).isNotNull();
    assertThat(e.timeout()).isEqualTo(timeout);
    assertThat(e).hasMessageContaining(timeout.toString());
  }

  @Test
  void receiveTimed_messagePresent_returnsIt() throws Exception {
    Object got = TestThreads.call(() -> {
      sendSelf("m");
      return receive(Duration.ofMillis(20));
    });
    assertThat(got).isEqualTo("m");
  }

  @Test
  void receiveWithDefault_emptyMailbox_returnsDefault() throws Exception {
    Object got = TestThreads.call(() -> receive(Duration.ofMillis(20), "default"));
    assertThat(got).isEqualTo("default");
  }

  @Test
  void receiveWithDefault_nullDefault_returnsNull() throws Exception {
    List<Object> got = TestThreads.call(() -> {
      Object polled = receive(Duration.ZERO, null);
      Object waited = receive(Duration.ofMillis(10), null);
      Object next = mailboxNext(Duration.ZERO, null);
      return Arrays.asList(polled, waited, next);
    });
    assertThat(got).containsExactly(null, null, null);
  }

  @Test
  void receiveWithDefault_messagePresent_returnsMessageNotDefault() throws Exception {
    Object got = TestThreads.call(() -> {
      sendSelf("m");
      return receive(Duration.ofMillis(20), "default");
    });
    assertThat(got).isEqualTo("m");
  }

  // ------------------------------------------------------------------ Duration.ZERO polls

  @Test
  void receiveZero_emptyMailbox_pollsAndReturnsAtOnce() throws Exception {
    long elapsedNanos = TestThreads.call(() -> {
      long t0 = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        assertThat(receive(Duration.ZERO, "none")).isEqualTo("none");
        assertThat(mailboxNext(Duration.ZERO, "none")).isEqualTo("none");
        assertThatThrownBy(() -> receive(x -> true, Duration.ZERO))
            .isInstanceOf(MailboxTimeoutException.class);
      }
      return System.nanoTime() - t0;
    });
    // 3000 polls; a poll that waited even 1 ms would take 3 s. Generous bound for shared CI.
    assertThat(Duration.ofNanos(elapsedNanos)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void receiveZero_emptyMailbox_throwsTimeoutWithZero() throws Exception {
    MailboxTimeoutException e = TestThreads.call(() -> {
      try {
        receive(Duration.ZERO);
        return null;
      } catch (MailboxTimeoutException thrown) {
        return thrown;
      }
    });
    assertThat(e).isNotNull();
    assertThat(e.timeout()).isEqualTo(Duration.ZERO);
  }

  @Test
  void receiveZero_messagePresent_returnsIt() throws Exception {
    Object got = TestThreads.call(() -> {
      sendSelf("m");
      return receive(Duration.ZERO);
    });
    assertThat(got).isEqualTo("m");
  }

  // ------------------------------------------------------------------ negative durations

  /** Every timed call, with the timeout it is given. */
  static Stream<Arguments> timedCalls() {
    return Stream.of(
        Arguments.of("receive(timeout)", (TimedCall) d -> receive(d)),
        Arguments.of("receive(timeout, default)", (TimedCall) d -> receive(d, "default")),
        Arguments.of("mailboxNext(timeout)", (TimedCall) d -> mailboxNext(d)),
        Arguments.of("mailboxNext(timeout, default)", (TimedCall) d -> mailboxNext(d, "default")),
        Arguments.of("receive(filter, timeout)", (TimedCall) d -> receive(x -> true, d)),
        Arguments.of("receive(type, timeout)", (TimedCall) d -> receive(Object.class, d)));
  }

  /** One of the timed receive calls. */
  @FunctionalInterface
  interface TimedCall {
    Object call(Duration timeout);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timedCalls")
  void timedCall_negativeTimeout_throwsIaeNamingTheValue(String name, TimedCall call)
      throws Exception {
    Throwable thrown = TestThreads.call(() -> {
      sendSelf("present"); // even with a message waiting, a negative timeout is a caller bug
      try {
        call.call(Duration.ofSeconds(-1));
        return null;
      } catch (IllegalArgumentException e) {
        return e;
      } finally {
        drain();
      }
    });
    assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timedCalls")
  void timedCall_oneNanosecondNegative_throwsIae(String name, TimedCall call) throws Exception {
    Throwable thrown = TestThreads.call(() -> {
      try {
        call.call(Duration.ofNanos(-1));
        return null;
      } catch (IllegalArgumentException e) {
        return e;
      }
    });
    assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-");
  }

  // ------------------------------------------------------------------ huge durations

  /** Timeouts from far beyond what nanoTime can count to just below where it saturates. */
  static Stream<Duration> hugeTimeouts() {
    return Stream.of(
        ChronoUnit.FOREVER.getDuration(),
        Duration.ofSeconds(Long.MAX_VALUE),
        Duration.ofDays(365L * 1000),
        Duration.ofDays(365L * 290), // about 9.1e18 ns: fits a long, overflows nanoTime() + it
        Duration.ofSeconds(9_223_372_034L, 999_999_999), // the largest that is not saturated
        Duration.ofNanos(Long.MAX_VALUE));
  }

  @ParameterizedTest
  @MethodSource("hugeTimeouts")
  void timedCall_hugeTimeoutWithMessagePresent_returnsTheMessage(Duration timeout)
      throws Exception {
    List<Object> got = TestThreads.call(() -> {
      sendSelf("a", "b", "c", "d", "e");
      return List.of(
          mailboxNext(timeout),
          mailboxNext(timeout, "default"),
          receive(timeout),
          receive(timeout, "default"),
          receive(x -> x.equals("d"), timeout),
          receive(String.class, timeout));
    });
    assertThat(got).containsExactly("a", "b", "a", "b", "d", "c");
  }

  @ParameterizedTest
  @MethodSource("hugeTimeouts")
  void receive_hugeTimeout_blocksUntilAMessageSentLaterArrives(Duration timeout)
      throws Exception {
    for (Kind kind : Kind.values()) {
      var receiver = TestThreads.spawn(kind, () -> receive(timeout));
      awaitParked(receiver.thread()); // parked, not timed out at once by an overflowed deadline
      assertThat(receiver.result()).as("%s still waiting", kind).isNotDone();
      send(receiver.thread(), "later");
      assertThat(receiver.join()).isEqualTo("later");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void receive_noTimeout_blocksUntilAMessageSentLaterArrives(Kind kind) throws Exception {
    var receiver = TestThreads.spawn(kind, MailboxThreads::receive);
    awaitParked(receiver.thread());
    assertThat(receiver.result()).isNotDone();
    send(receiver.thread(), "later");
    assertThat(receiver.join()).isEqualTo("later");
  }
}
