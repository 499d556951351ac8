package dev.mailboxthreads.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The registry from threads to their mailboxes, and the count of dropped messages.
 *
 * <p>A mailbox is created the first time a thread is sent to, receives, or is addressed; a
 * thread that never uses its mailbox has none and pays nothing. The registry holds threads
 * weakly (a mailbox is a weak reference to its owner): an ended thread's mailbox goes when the
 * thread is collected, or at once when the thread was started by {@code MailboxThreads.start}.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public final class Mailboxes {
  /*
   * Keys and values are the same Mailbox objects: a Mailbox hashes as its thread's id (Mailbox.hash)
   * and equals another Mailbox of the same thread. Lookups use a throwaway Key whose equals
   * compares the referent, so a lookup never holds a thread strongly. Cleared mailboxes are
   * found through QUEUE and removed (expunged) whenever a mailbox is created or the dropped
   * count is read: the registry's size stays proportional to live threads that used mailboxes.
   */
  private static final ConcurrentHashMap<Object, Mailbox> REGISTRY = new ConcurrentHashMap<>();
  private static final ReferenceQueue<Thread> CLEARED = new ReferenceQueue<>();
  private static final LongAdder DROPPED = new LongAdder();

  private Mailboxes() {}

  /** A lookup key for {@code thread}: equal to the thread's mailbox, holds the thread briefly. */
  private record Key(Thread thread) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Mailbox m && m.get() == thread;
    }

    @Override
    public int hashCode() {
      return Mailbox.hash(thread);
    }
  }

  /**
   * The mailbox of {@code thread}, created if it has none.
   *
   * @param thread not null
   * @return its mailbox
   */
  public static Mailbox of(Thread thread) {
    Mailbox m = REGISTRY.get(new Key(thread));
    if (m != null) {
      return m;
    }
    expungeCleared();
    Mailbox created = new Mailbox(thread, CLEARED);
    Mailbox raced = REGISTRY.putIfAbsent(created, created);
    return raced != null ? raced : created;
  }

  /**
   * The mailbox of {@code thread} if it has one.
   *
   * @param thread not null
   * @return its mailbox, or null
   */
  public static Mailbox peek(Thread thread) {
    return REGISTRY.get(new Key(thread));
  }

  /**
   * Called by a thread started through the library as its body ends (normally or not): closes
   * its mailbox, counting what was left in it as dropped, and forgets it.
   *
   * @param thread the ending thread, the current one
   */
  public static void threadEnded(Thread thread) {
    Mailbox m = REGISTRY.remove(new Key(thread));
    if (m != null) {
      m.close();
      m.clear();
    }
  }

  /**
   * Adds to the dropped-message count.
   *
   * @param n how many messages were dropped
   */
  public static void countDropped(long n) {
    DROPPED.add(n);
  }

  /**
   * Messages dropped so far because their thread had ended, including messages left unread in a
   * mailbox when its thread ended.
   *
   * @return the count since this class was loaded
   */
  public static long dropped() {
    expungeCleared();
    return DROPPED.sum();
  }

  /**
   * Number of mailboxes in the registry, after removing those of collected threads.
   *
   * @return the count
   */
  public static int registered() {
    expungeCleared();
    return REGISTRY.size();
  }

  /** Removes the mailboxes of collected threads, counting their unread messages as dropped. */
  private static void expungeCleared() {
    Reference<? extends Thread> r;
    while ((r = CLEARED.poll()) != null) {
      Mailbox m = (Mailbox) r;
      REGISTRY.remove(m, m);
      m.close();
    }
  }
}
