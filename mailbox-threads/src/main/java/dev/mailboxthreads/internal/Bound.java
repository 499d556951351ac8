package dev.mailboxthreads.internal;

import dev.mailboxthreads.Overflow;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The limit of one mailbox: how many messages it may hold and what a send does when it is full.
 * A mailbox has none (unbounded) until {@code limitMailbox}; a new limit replaces the old one.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public final class Bound {
  /*
   * `count` is the number of messages appended against this bound and not yet removed: a
   * producer reserves a place (CAS, never above capacity) before it appends, and the node it
   * appends remembers this bound, so that the owner, or the closer, releases the place in the
   * bound the message was counted against even after the limit was changed.
   *
   * Blocked senders (Overflow.BLOCK) queue in `blocked`, then re-check for room, then park;
   * release() decrements, then unparks the first queued sender. Either the sender sees the
   * decrement or release() sees the sender (both sides write, then read, volatile state), so no
   * wake-up is lost. A woken sender that loses the place to another sender queues again.
   */
  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(Bound.class, "count", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final int capacity;
  final Overflow whenFull;

  /** Places taken; 0 to capacity. Accessed through COUNT as well. */
  private volatile int count;

  /** Senders waiting for room (Overflow.BLOCK only). */
  private final ConcurrentLinkedQueue<Thread> blocked = new ConcurrentLinkedQueue<>();

  Bound(int capacity, Overflow whenFull) {
    this.capacity = capacity;
    this.whenFull = whenFull;
  }

  /** Takes a place if there is one. */
  boolean tryReserve() {
    for (;;) {
      int c = count;
      if (c >= capacity) {
        return false;
      }
      if (COUNT.compareAndSet(this, c, c + 1)) {
        return true;
      }
    }
  }

  /** Gives a place back (a counted message was removed) and wakes one blocked sender. */
  void release() {
    COUNT.getAndAdd(this, -1);
    if (!blocked.isEmpty()) {
      Thread w = blocked.poll();
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  boolean hasRoom() {
    return count < capacity;
  }

  int count() {
    return count;
  }

  void enqueueBlocked(Thread sender) {
    blocked.add(sender);
  }

  void dequeueBlocked(Thread sender) {
    blocked.remove(sender);
  }

  /** Wakes every blocked sender: the limit changed or the mailbox closed. */
  void wakeAll() {
    Thread w;
    while ((w = blocked.poll()) != null) {
      LockSupport.unpark(w);
    }
  }
}
