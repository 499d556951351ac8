package dev.mailboxthreads.internal;

import java.time.Duration;
import java.util.Objects;

/** Timeouts as nanoseconds: {@link #FOREVER}, 0 to poll, or a positive wait. */
public final class Deadlines {
  /** Wait without limit. Durations too long to count in nanoseconds (292 years) mean this too. */
  public static final long FOREVER = Long.MAX_VALUE;

  private Deadlines() {}

  /**
   * Converts a public timeout.
   *
   * @param timeout not null, not negative
   * @return the timeout in nanoseconds, saturated to {@link #FOREVER}
   * @throws IllegalArgumentException if negative, with the value in the message
   */
  public static long toNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException(
          "timeout < 0: " + timeout + "; use Duration.ZERO to poll or receive() to wait forever");
    }
    // Duration.toNanos throws past ~292 years; anything that long is forever.
    if (timeout.getSeconds() >= FOREVER / 1_000_000_000L - 1) {
      return FOREVER;
    }
    return timeout.toNanos();
  }

  /** The deadline for a wait that starts now; meaningless for FOREVER and 0. */
  static long deadline(long timeoutNanos) {
    return timeoutNanos == FOREVER || timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
  }

  /** What is left of a wait that started with {@code timeoutNanos}; 0 once it has run out. */
  static long remaining(long deadline, long timeoutNanos) {
    if (timeoutNanos == FOREVER || timeoutNanos == 0) {
      return timeoutNanos;
    }
    return Math.max(0, deadline - System.nanoTime());
  }
}
