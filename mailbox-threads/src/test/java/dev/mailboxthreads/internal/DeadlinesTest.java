package dev.mailboxthreads.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Converting public {@link Duration} timeouts, and the deadline arithmetic. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadlinesTest {

  @Test
  void toNanos_zero_isZeroMeaningPoll() {
    assertThat(Deadlines.toNanos(Duration.ZERO)).isZero();
  }

  @Test
  void toNanos_positive_isExact() {
    assertThat(Deadlines.toNanos(Duration.ofNanos(1))).isEqualTo(1);
    assertThat(Deadlines.toNanos(Duration.ofMillis(50))).isEqualTo(50_000_000L);
    assertThat(Deadlines.toNanos(Duration.ofDays(1))).isEqualTo(TimeUnit.DAYS.toNanos(1));
    assertThat(Deadlines.toNanos(Duration.ofSeconds(9_223_372_034L, 999_999_999)))
        .isEqualTo(9_223_372_034_999_999_999L);
  }

  @Test
  void toNanos_negative_throwsIaeWithTheValue() {
    assertThatThrownBy(() -> Deadlines.toNanos(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> Deadlines.toNanos(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Duration.ofNanos(-1).toString());
    assertThatThrownBy(() -> Deadlines.toNanos(ChronoUnit.FOREVER.getDuration().negated()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toNanos_null_throwsNpeNamingTimeout() {
    assertThatThrownBy(() -> Deadlines.toNanos(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("timeout");
  }

  static Duration[] tooLongToCount() {
    return new Duration[] {
      ChronoUnit.FOREVER.getDuration(),
      Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
      Duration.ofDays(365L * 1000),
      Duration.ofNanos(Long.MAX_VALUE),
      Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L), // 292 years and a bit
    };
  }

  @ParameterizedTest
  @MethodSource("tooLongToCount")
  void toNanos_tooLongForNanos_isForever(Duration timeout) {
    assertThat(Deadlines.toNanos(timeout)).isEqualTo(Deadlines.FOREVER);
  }

  @Test
  void remaining_foreverAndPoll_passThrough() {
    assertThat(Deadlines.remaining(Deadlines.deadline(Deadlines.FOREVER), Deadlines.FOREVER))
        .isEqualTo(Deadlines.FOREVER);
    assertThat(Deadlines.remaining(Deadlines.deadline(0), 0)).isZero();
  }

  @Test
  void remaining_positive_neverMoreThanTheTimeoutNorNegative() {
    long timeout = TimeUnit.MILLISECONDS.toNanos(1);
    long deadline = Deadlines.deadline(timeout);
    long first = Deadlines.remaining(deadline, timeout);
    assertThat(first).isBetween(0L, timeout);
    long spinUntil = deadline + 1;
    while (System.nanoTime() - spinUntil < 0) {
      Thread.onSpinWait(); // a millisecond: no event to wait for, only the clock
    }
    assertThat(Deadlines.remaining(deadline, timeout)).isZero();
  }

  /** A deadline past Long.MAX_VALUE wraps; differences of nanoTime values still work. */
  @Test
  void remaining_timeoutNearLongMax_doesNotOverflow() {
    long timeout = Deadlines.toNanos(Duration.ofSeconds(9_223_372_034L, 999_999_999));
    long deadline = Deadlines.deadline(timeout);
    long left = Deadlines.remaining(deadline, timeout);
    assertThat(left).isPositive().isLessThanOrEqualTo(timeout)
        .isGreaterThan(timeout - TimeUnit.SECONDS.toNanos(60));
  }
}
