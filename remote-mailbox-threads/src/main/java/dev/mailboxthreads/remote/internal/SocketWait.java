package dev.mailboxthreads.remote.internal;

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
 * <p><b>Thread safety:</b> {@link #open}, {@link #closing} and {@link #await} are called by the
 * socket's owner; {@link #cancel} by any thread, interrupted or not (JeroMQ's signalling pipe is
 * non-blocking, which an interrupt does not close). A cancelled wait stays cancelled: every
 * later cancellable wait returns at once.
 */
final class SocketWait {
  private final AtomicBoolean cancelled = new AtomicBoolean();
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
    return socket.base().poll(interest, millis, cancellable ? cancelled : null) > 0;
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
