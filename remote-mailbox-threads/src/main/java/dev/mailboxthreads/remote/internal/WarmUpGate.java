package dev.mailboxthreads.remote.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When background warm-up (the default codec's Apache Fory pool) may start: once this process
 * has a publication, or a connection has completed its first handshake, or after {@link
 * #MAX_DELAY_MILLIS}, whichever comes first.
 *
 * <p>Why: building the Fory pool takes about a second of CPU. Started at once, it competes, on a
 * machine with few cores, with what a fresh process's first message needs (class loading,
 * ZeroMQ's threads, the handshake), and delays that message. A message that needs Fory before
 * the gate opens builds the pool itself, in its own thread, as it always could.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread; the gate opens once.
 */
public final class WarmUpGate {
  /** The longest a warm-up waits for the gate. */
  static final long MAX_DELAY_MILLIS = 1_000;

  private static final CountDownLatch OPEN = new CountDownLatch(1);

  private WarmUpGate() {}

  /** Opens the gate: a publication exists, or a connection has handshaken. */
  public static void open() {
    OPEN.countDown();
  }

  /** Waits until the gate opens, at most {@link #MAX_DELAY_MILLIS}; keeps an interrupt. */
  static void await() {
    try {
      OPEN.await(MAX_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
