package dev.mailboxthreads.remote.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.ZMQ;
import zmq.ZError;

/**
 * How an I/O thread of ours waits for its socket, and how another thread wakes it: the wait
 * happens inside JeroMQ ({@code SocketBase.poll} on the socket's command mailbox), and the wake
 * is JeroMQ's cancellation ({@code SocketBase.cancel}: a flag, and a CANCEL command sent to
 * that mailbox, the thread-safe way JeroMQ's own threads talk to a socket).
 *
 * <p>Not a {@link java.nio.channels.Selector} of our own on the socket's signalling channel
 * (ZMQ_FD), as the loops used before: a signal is consumed only by JeroMQ's own wait, or by a
 * non-blocking call once the writer has counted it (JeroMQ's Signaler increments its write
 * cursor after its pipe write). A thread woken by our selector between the two found nothing,
 * and the level-triggered selector returned at once, again and again: a busy loop until the
 * writer ran again, which, woken on the same vCPU, it sometimes did only at the next 4 ms
 * scheduler tick (docs/benchmarks-remote.md, "Round trip: where the time goes").
 *
 * <p>A wait whose last blocking wait was short (under 50 µs: frames arriving back to back, a
 * stream) first asks the socket for up to 20 µs ({@code getEvents}, which also picks up
 * JeroMQ's commands) before it blocks, sparing the writer a signal and the owner a sleep per
 * catch-up; the selector's busy loop used to do that by accident, for much longer. A round
 * trip's waits are long, so they never spin.
 *
 * <p><b>Thread safety:</b> {@link #open}, {@link #closing} and {@link #await} are called by the
 * socket's owner; {@link #cancel} by any thread, interrupted or not (JeroMQ's signalling pipe is
 * non-blocking, which an interrupt does not close). A cancelled wait stays cancelled: every
 * later cancellable wait returns at once, until the owner re-arms it with {@link #takeCancel}.
 */
final class SocketWait {
  /**
   * A blocking wait shorter than this (a stream) makes the next wait spin first; {@code
   * -Ddev.mailboxthreads.remote.shortWaitMicros}, default 50.
   */
  static final long SHORT_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(
      Long.getLong("dev.mailboxthreads.remote.shortWaitMicros", 50));
  /**
   * How long such a wait asks the socket before it blocks; {@code
   * -Ddev.mailboxthreads.remote.waitSpinMicros}, default 20, 0 for never.
   */
  static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(
      Long.getLong("dev.mailboxthreads.remote.waitSpinMicros", 20));

  private final AtomicBoolean cancelled = new AtomicBoolean();
  /** Whether a short wait makes the next one spin (see above); false for a mailbox owner's. */
  private final boolean maySpin;
  /** Whether the last blocking wait was short; the owner's. */
  private boolean spin;

  /** A wait that spins after a short one (see above). */
  SocketWait() {
    this(true);
  }

  /**
   * A wait.
   *
   * @param maySpin whether a short wait makes the next one spin (see above); a mailbox owner's
   *     does not: its waits are a round trip's, and a spin's {@code getEvents} would take an
   *     interrupt for JeroMQ's EINTR
   */
  SocketWait(boolean maySpin) {
    this.maySpin = maySpin;
  }
  private final ReentrantLock lock = new ReentrantLock();
  /**
   * The socket while it is open, null before and after: a command to a closed socket's mailbox
   * would fail, so cancel() sends one only in between. Guarded by lock.
   */
  private ZMQ.Socket live;

  /** The owner: the socket is set up, and cancel() may wake its waits from now on. */
  void open(ZMQ.Socket socket) {
    set(socket);
  }

  /** The owner, before it closes the socket: cancel() does nothing from now on. */
  void closing() {
    set(null);
  }

  private void set(ZMQ.Socket socket) {
    lock.lock();
    try {
      live = socket;
    } finally {
      lock.unlock();
    }
  }

  /** Any thread: ends the owner's current cancellable wait, and makes the later ones return. */
  void cancel() {
    lock.lock();
    try {
      if (live != null) {
        live.base().cancel(cancelled);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Any thread: the first half of {@link #cancel}, the flag without the command: a wait that
   * starts after this returns at once, one in progress does not notice.
   */
  void flag() {
    cancelled.set(true);
  }

  /**
   * The owner: whether {@link #cancel} was called since the last call of this; re-arms the
   * cancellable waits (a cancel that comes after this ends the next one).
   *
   * @return true if cancelled meanwhile
   */
  boolean takeCancel() {
    return cancelled.getAndSet(false);
  }

  /**
   * The owner: waits up to {@code millis} until the socket can receive ({@code
   * zmq.ZMQ.ZMQ_POLLIN}) or send ({@code ZMQ_POLLOUT}), processing its commands meanwhile.
   *
   * @param socket the socket
   * @param interest ZMQ_POLLIN or ZMQ_POLLOUT
   * @param millis longest wait
   * @param cancellable whether {@link #cancel} ends it
   * @return true if the socket is ready; false after the time, a cancel, an interrupt of the
   *     owner (JeroMQ takes it as EINTR), or the context's end ({@link #terminated})
   */
  boolean await(ZMQ.Socket socket, int interest, int millis, boolean cancellable) {
    if (cancellable && cancelled.get()) {
      // JeroMQ looks at the flag only after its wait, and the CANCEL command that woke an
      // earlier wait (or that a non-blocking call processed) is gone: return at once
      return false;
    }
    if (spin && maySpin && SPIN_NANOS > 0) {
      // the last wait was short (a stream): ask the socket for a while before sleeping, which
      // spares the writer a wake-up and us a sleep per catch-up; a round trip's waits are long
      // and never spin, so a thread woken on this vCPU (the mailbox's owner) is not delayed
      long end = System.nanoTime() + SPIN_NANOS;
      do {
        if ((socket.getEvents() & interest) != 0) {
          return true;
        }
        Thread.onSpinWait();
      } while (System.nanoTime() - end < 0 && !(cancellable && cancelled.get()));
    }
    long t0 = System.nanoTime();
    boolean ready = socket.base().poll(interest, millis, cancellable ? cancelled : null) > 0;
    spin = ready && System.nanoTime() - t0 < SHORT_WAIT_NANOS;
    return ready;
  }

  /**
   * Whether the socket's last call failed because its context is ending (ETERM).
   *
   * @param socket the socket
   * @return true if so
   */
  static boolean terminated(ZMQ.Socket socket) {
    return socket.base().errno() == ZError.ETERM;
  }
}
