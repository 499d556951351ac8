package dev.mailboxthreads.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
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
   * The registry is a chained hash table whose chains run through the mailboxes themselves
   * (Mailbox.nextInBucket), so an entry costs one array slot and no node object, and a lookup
   * touches the slot and the mailbox it wants. Every receive looks its own mailbox up, so this
   * is on the hot path.
   *
   * - Reads take no lock: they read `table`, the slot (acquire) and follow nextInBucket
   *   (acquire) for at most MAX_PROBE mailboxes, comparing referents. A read never returns a
   *   wrong mailbox (it compares the referent), but it may miss one that is there: while a resize
   *   relinks the chains, after following the cleared link of a mailbox just removed, or past
   *   MAX_PROBE. So a miss is only a hint: of() and peek() retry it under the lock.
   * - Every write (insert, remove, resize) holds LOCK. Under it the table and its chains are
   *   stable, and a full walk is exact. Writers publish a mailbox with release stores, after it
   *   is fully constructed.
   * - LOCK is a spin lock (held for tens of nanoseconds, or for one resize): a waiter spins,
   *   then yields. It never parks, so a virtual thread that meets a busy registry as it first
   *   receives does not unmount deep inside it (which would leave it a larger stack chunk for
   *   the rest of its life: measured with a ReentrantLock, idle heap per thread rose by ~150 B).
   *
   * Cleared mailboxes (their thread collected) are found through CLEARED and removed whenever a
   * mailbox is created or a count is read: the table stays proportional to live threads that
   * used mailboxes; it doubles when it holds more mailboxes than slots and halves below 1/8 of
   * that, so an entry costs 4-8 bytes of table while the population grows.
   */
  private static final int INITIAL_CAPACITY = 64;
  private static final int MAX_PROBE = 16;

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Mailbox[].class);
  private static final VarHandle LOCKED;

  static {
    try {
      LOCKED = MethodHandles.lookup().findStaticVarHandle(Mailboxes.class, "locked", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The buckets; length a power of two. Replaced only under the lock. */
  private static volatile Mailbox[] table = new Mailbox[INITIAL_CAPACITY];

  /** Mailboxes in the table. Guarded by the lock. */
  private static int size;

  /** 1 while a writer holds the lock. Accessed through LOCKED. */
  @SuppressWarnings("unused")
  private static volatile int locked;

  private static final ReferenceQueue<Thread> CLEARED = new ReferenceQueue<>();
  private static final LongAdder DROPPED = new LongAdder();
  private static final LongAdder DROPPED_FULL = new LongAdder();

  private Mailboxes() {}

  /**
   * The mailbox of {@code thread}, created if it has none.
   *
   * @param thread not null
   * @return its mailbox
   */
  public static Mailbox of(Thread thread) {
    int h = Mailbox.hash(thread);
    Mailbox m = find(thread, h);
    return m != null ? m : create(thread, h);
  }

  /**
   * The mailbox of {@code thread} if it has one.
   *
   * @param thread not null
   * @return its mailbox, or null
   */
  public static Mailbox peek(Thread thread) {
    int h = Mailbox.hash(thread);
    Mailbox m = find(thread, h);
    if (m != null) {
      return m;
    }
    lock();
    try {
      return findLocked(thread, h);
    } finally {
      unlock();
    }
  }

  /**
   * Called by a thread started through the library as its body ends (normally or not): closes
   * its mailbox, counting what was left in it as dropped, and forgets it.
   *
   * @param thread the ending thread, the current one
   */
  public static void threadEnded(Thread thread) {
    int h = Mailbox.hash(thread);
    Mailbox m;
    lock();
    try {
      m = findLocked(thread, h);
      if (m != null) {
        unlinkLocked(m);
      }
    } finally {
      unlock();
    }
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
   * A limit for {@link Mailbox#limit}.
   *
   * @param capacity at least 1
   * @param whenFull what a send to a full mailbox does
   * @return the limit
   */
  public static Bound bound(int capacity, dev.mailboxthreads.Overflow whenFull) {
    return new Bound(capacity, whenFull);
  }

  /** Counts one message dropped because its mailbox was full ({@code Overflow.DROP}). */
  public static void countDroppedFull() {
    DROPPED_FULL.increment();
    DROPPED.increment();
  }

  /**
   * Messages dropped because their mailbox was full and limited with {@code Overflow.DROP}.
   *
   * @return the count since this class was loaded
   */
  public static long droppedFull() {
    return DROPPED_FULL.sum();
  }

  /**
   * Messages dropped so far: because their thread had ended (including messages left unread in
   * a mailbox when its thread ended), or because their mailbox was full ({@code DROP}).
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
    lock();
    try {
      return size;
    } finally {
      unlock();
    }
  }

  /** Capacity of the table now; for tests of shrinking. */
  static int capacity() {
    return table.length;
  }

  // ------------------------------------------------------------------ lock-free reads

  /** The bucket of hash {@code h} in a table of {@code length} slots. */
  private static int index(int h, int length) {
    return (h ^ (h >>> 16)) & (length - 1);
  }

  /** Lock-free lookup: the mailbox of {@code thread}, or null, which may be a false miss. */
  private static Mailbox find(Thread thread, int h) {
    Mailbox[] tab = table;
    Mailbox m = (Mailbox) SLOT.getAcquire(tab, index(h, tab.length));
    for (int probes = 0; m != null && probes < MAX_PROBE; probes++) {
      if (m.threadHash == h && m.refersTo(thread)) {
        return m;
      }
      m = m.nextInBucketAcquire();
    }
    return null;
  }

  // ------------------------------------------------------------------ writes, under the lock

  private static Mailbox create(Thread thread, int h) {
    expungeCleared();
    lock();
    try {
      Mailbox m = findLocked(thread, h);
      if (m == null) {
        m = new Mailbox(thread, CLEARED);
        Mailbox[] tab = table;
        int i = index(h, tab.length);
        m.setNextInBucket((Mailbox) SLOT.get(tab, i));
        SLOT.setRelease(tab, i, m);
        if (++size > tab.length) { // chains average at most one mailbox
          resizeLocked(tab.length << 1);
        }
      }
      return m;
    } finally {
      unlock();
    }
  }

  /** Exact lookup; the caller holds the lock. */
  private static Mailbox findLocked(Thread thread, int h) {
    Mailbox[] tab = table;
    for (Mailbox m = (Mailbox) SLOT.get(tab, index(h, tab.length));
        m != null;
        m = m.nextInBucketAcquire()) {
      if (m.threadHash == h && m.refersTo(thread)) {
        return m;
      }
    }
    return null;
  }

  /**
   * Removes {@code m} from its chain if it is there; the caller holds the lock. Clears the
   * removed mailbox's link so that an Address that outlives it retains no other mailbox; a
   * lock-free reader standing on it then misses, and retries under the lock.
   */
  private static void unlinkLocked(Mailbox m) {
    Mailbox[] tab = table;
    int i = index(m.threadHash, tab.length);
    Mailbox p = (Mailbox) SLOT.get(tab, i);
    if (p == m) {
      SLOT.setRelease(tab, i, m.nextInBucketAcquire());
    } else {
      while (p != null && p.nextInBucketAcquire() != m) {
        p = p.nextInBucketAcquire();
      }
      if (p == null) {
        return; // not in the table (already removed)
      }
      p.setNextInBucket(m.nextInBucketAcquire());
    }
    m.setNextInBucket(null);
    size--;
    if (tab.length > INITIAL_CAPACITY && size < (tab.length >>> 3)) {
      resizeLocked(tab.length >>> 1);
    }
  }

  /**
   * Moves every mailbox to a new table of {@code capacity} slots; the caller holds the lock.
   * Chains are relinked in place, so lock-free readers of the old chains may miss meanwhile
   * (and retry under the lock); they cannot loop, because they give up after MAX_PROBE.
   */
  private static void resizeLocked(int capacity) {
    Mailbox[] old = table;
    Mailbox[] tab = new Mailbox[capacity];
    for (int i = 0; i < old.length; i++) {
      Mailbox m = (Mailbox) SLOT.get(old, i);
      while (m != null) {
        Mailbox next = m.nextInBucketAcquire();
        int j = index(m.threadHash, capacity);
        m.setNextInBucket(tab[j]);
        tab[j] = m;
        m = next;
      }
    }
    table = tab; // volatile write: publishes the new chains
  }

  /** Removes the mailboxes of collected threads, counting their unread messages as dropped. */
  private static void expungeCleared() {
    Reference<? extends Thread> r;
    while ((r = CLEARED.poll()) != null) {
      Mailbox m = (Mailbox) r;
      lock();
      try {
        unlinkLocked(m);
      } finally {
        unlock();
      }
      m.close();
    }
  }

  private static void lock() {
    int spins = 0;
    while (!LOCKED.compareAndSet(0, 1)) {
      if (++spins < 256) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  private static void unlock() {
    LOCKED.setRelease(0);
  }
}
