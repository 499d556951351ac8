package dev.mailboxthreads.internal;

import dev.mailboxthreads.Address;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import dev.mailboxthreads.Overflow;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The mailbox of one thread: a multi-producer, single-consumer linked list with a cursor.
 *
 * <p>A mailbox is a {@link WeakReference} to its owner thread, so that the registry that maps
 * threads to mailboxes never keeps a thread alive, and it is the {@link Address} of that thread,
 * so that {@code addressOf(thread)} allocates nothing.
 *
 * <p><b>Thread safety:</b> {@link #offer} may be called from any thread. Every other method is
 * called only by the owner thread (the {@code MailboxThreads} facade looks the mailbox up from
 * {@code Thread.currentThread()}), except {@link #close}, which is called by the owner when it
 * ends or, for a thread that ended without telling us, by whoever expunges it after the
 * garbage collector cleared the reference.
 */
public final class Mailbox extends WeakReference<Thread> implements Address {
  /*
   * Implementation notes.
   *
   * Messages are Nodes in a singly linked list, in arrival order. `head` is a stub whose value
   * is always null; the messages are head.next, head.next.next, ... Producers append with
   * Vyukov's wait-free MPSC protocol: swap `tail` to the new node (getAndSet, one atomic
   * instruction, this is the linearization point of send), then link prev.next to it with a
   * volatile write. Between the two steps the list is briefly cut after prev: the consumer sees
   * prev.next == null and treats the mailbox as empty up to there; the producer's volatile write
   * and its later read of `waiter` make sure the consumer is woken if it parked meanwhile.
   *
   * Node states: live (value != null) or removed (value == null, a "tombstone"). Only the owner
   * removes, and it unlinks a removed node at once when the node has a successor; a node whose
   * next is null may still be the `prev` of a producer that is about to link after it, so the
   * owner never unlinks it then: it only nulls its value. Traversals skip tombstones and unlink
   * them as soon as they have a successor. Hence:
   *   - a producer writes `next` only of the node it got from getAndSet, and only from null;
   *   - the owner writes `next` only of nodes whose `next` is already non-null, which no producer
   *     will ever write again. No write to `next` is ever lost.
   *
   * Cursor (Gambit semantics): `cursor` is the node last returned by mailboxNext, or `head` when
   * rewound; `cursorPrev` is its predecessor when cursor != head. Because traversals only unlink
   * nodes *after* the node they start from, cursorPrev stays the predecessor of cursor until the
   * owner rewinds.
   *
   * Parking: the owner publishes itself in `waiter` (volatile write), re-checks for a message
   * (volatile read of next), and parks only if there is none. A producer links its node
   * (volatile write of next) and then reads `waiter` (volatile read); if it finds a thread it
   * CASes `waiter` to null and unparks it, so only one producer pays for the unpark. Sequential
   * consistency of volatiles makes the owner see the node or the producer see the owner.
   *
   * Closing: `waiter` = CLOSED is terminal. The closer then walks the list and claims every
   * remaining value by CAS (value -> null), counting each as dropped. A producer checks `waiter`
   * before appending (so a closed mailbox does not grow) and again after linking; if it then
   * sees CLOSED it tries to claim its own value by CAS. Exactly one of closer and producer wins
   * each value, so every message is either received, or counted as dropped exactly once.
   */

  /**
   * The stub of every mailbox that has never held a message, so that such a mailbox (an idle
   * thread waiting for its first message, say) costs no node. Shared, so nobody ever writes its
   * {@code next}: a producer whose predecessor is EMPTY links its node through {@link
   * #afterEmpty} instead, and the owner reads and unlinks through {@link #nextOf} and {@link
   * #setNext}.
   */
  private static final Node EMPTY = new Node(null);

  /** True while nobody has written the shared stub; for tests. */
  static boolean emptyStubUntouched() {
    return EMPTY.next == null && EMPTY.value == null && EMPTY.bound == null;
  }

  /** The value of {@link #waiter} once the mailbox is closed; terminal. */
  private static final Object CLOSED = new Object();

  private static final VarHandle TAIL;
  private static final VarHandle WAITER;
  private static final VarHandle NEXT;
  private static final VarHandle VALUE;
  private static final VarHandle NEXT_IN_BUCKET;
  private static final VarHandle BOUND;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(Mailbox.class, "tail", Node.class);
      WAITER = lookup.findVarHandle(Mailbox.class, "waiter", Object.class);
      NEXT = lookup.findVarHandle(Node.class, "next", Node.class);
      VALUE = lookup.findVarHandle(Node.class, "value", Object.class);
      NEXT_IN_BUCKET = lookup.findVarHandle(Mailbox.class, "nextInBucket", Mailbox.class);
      BOUND = lookup.findVarHandle(Mailbox.class, "bound", Bound.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One message in the list. */
  static final class Node {
    /** The message; null once taken or removed. Written by its producer before publication. */
    Object value;
    /** The successor; see the class notes for who may write it and when. */
    volatile Node next;
    /**
     * The limit this message was counted against, or null; written by its producer before
     * publication. Fits in the node's alignment padding: a node is 24 bytes with or without it.
     */
    Bound bound;

    Node(Object value) {
      this.value = value;
    }
  }

  /** {@link #hash} of the owner thread, fixed at creation; the registry's hash. */
  final int threadHash;

  /** Last node appended; swapped by producers. Never null. */
  @SuppressWarnings("unused") // accessed through TAIL
  private volatile Node tail;

  /** null, the owner thread while it is about to park or parked, or CLOSED (terminal). */
  private volatile Object waiter;

  /** The stub before the oldest message. Owner only. */
  private Node head;

  /** The node last returned by mailboxNext, or head when rewound. Owner only. */
  private Node cursor;

  /** The predecessor of cursor when cursor != head. Owner only. */
  private Node cursorPrev;

  /**
   * The next mailbox in this one's registry bucket. Written only under the registry's lock,
   * read without it; see {@link Mailboxes}. Fits in the object's alignment padding: a mailbox
   * is 56 bytes with or without it.
   */
  @SuppressWarnings("unused") // accessed through NEXT_IN_BUCKET
  private Mailbox nextInBucket;

  /**
   * The first node ever appended, while {@code head} is still {@link #EMPTY}: EMPTY's {@code
   * next} for this mailbox. Written once by the producer that swapped EMPTY out of {@code tail},
   * then only by the owner, which clears it when {@code head} moves on (it would otherwise keep
   * every later node reachable). Fits in the object's alignment padding.
   */
  private volatile Node afterEmpty;

  /** The limit, or null when unbounded (the default). Replaced by {@link #limit}. */
  private volatile Bound bound;

  Mailbox(Thread owner, ReferenceQueue<? super Thread> queue) {
    super(owner, queue);
    this.threadHash = hash(owner);
    this.head = EMPTY;
    this.cursor = EMPTY;
    this.tail = EMPTY;
  }

  /**
   * The registry's hash of a thread: from its id, not its identity hash, which gets slow while
   * another thread is in {@code join()} on it (measured: a self-lookup went from 3-5 ns to
   * 20-29 ns), and every {@code receive} looks its own mailbox up.
   */
  static int hash(Thread thread) {
    return Long.hashCode(thread.threadId());
  }

  Mailbox nextInBucketAcquire() {
    return (Mailbox) NEXT_IN_BUCKET.getAcquire(this);
  }

  void setNextInBucket(Mailbox next) {
    NEXT_IN_BUCKET.setRelease(this, next);
  }

  // ------------------------------------------------------------------ producers (any thread)

  /** {@link #deliver} outcome: the message is in the mailbox. */
  public static final int APPENDED = 0;

  /** {@link #deliver} outcome: dropped and counted, because the owner has ended. */
  public static final int DROPPED_ENDED = 1;

  /** {@link #deliver} outcome: dropped and counted, because the mailbox is full ({@code DROP}). */
  public static final int DROPPED_FULL = 2;

  /** {@link #deliver} outcome: not sent, because the mailbox is full ({@code FAIL}). */
  public static final int REFUSED_FULL = 3;

  /**
   * Appends {@code message}, or drops and counts it if the owner has ended.
   *
   * @param message the message, not null
   * @return true if appended, false if dropped or refused
   */
  public boolean offer(Object message) {
    return deliver(message) == APPENDED;
  }

  /**
   * Appends {@code message}; if the mailbox is limited and full, does what its {@link Overflow}
   * says: waits ({@code BLOCK}), refuses ({@code FAIL}) or drops and counts ({@code DROP}).
   *
   * @param message the message, not null
   * @return {@link #APPENDED}, {@link #DROPPED_ENDED}, {@link #DROPPED_FULL} or {@link
   *     #REFUSED_FULL}
   * @throws dev.mailboxthreads.MailboxInterruptedException if interrupted while it waits
   * @throws dev.mailboxthreads.MailboxFullException if the owner itself would wait for room in
   *     its own mailbox, which only it can make
   */
  public int deliver(Object message) {
    Objects.requireNonNull(message, "message");
    for (;;) {
      if (waiter == CLOSED || !ownerMayReceive()) {
        Mailboxes.countDropped(1);
        return DROPPED_ENDED;
      }
      Bound b = bound;
      if (b == null || b.tryReserve()) {
        return append(message, b);
      }
      switch (b.whenFull) {
        case FAIL -> {
          return REFUSED_FULL;
        }
        case DROP -> {
          Mailboxes.countDroppedFull();
          return DROPPED_FULL;
        }
        case BLOCK -> awaitRoom(b);
      }
    }
  }

  /**
   * Appends {@code message} whatever the limit: for a reply to a call that waits for it, which
   * the caller takes at once (a full mailbox must not lose it, nor block its deliverer).
   *
   * @param message the message, not null
   * @return true if appended, false if dropped (and counted) because the owner has ended
   */
  public boolean offerIgnoringLimit(Object message) {
    Objects.requireNonNull(message, "message");
    if (waiter == CLOSED || !ownerMayReceive()) {
      Mailboxes.countDropped(1);
      return false;
    }
    return append(message, null) == APPENDED;
  }

  /** Appends; {@code b} is the bound a place was reserved in, or null. */
  private int append(Object message, Bound b) {
    Node node = new Node(message);
    if (b != null) {
      node.bound = b;
    }
    Node prev = (Node) TAIL.getAndSet(this, node);
    if (prev == EMPTY) {
      afterEmpty = node; // volatile write, as below
    } else {
      prev.next = node; // volatile write: publishes node.value, then read waiter (Dekker)
    }
    Object w = waiter;
    if (w != null) {
      if (w == CLOSED) {
        // Closed while we appended: the closer may or may not have seen our node.
        if (VALUE.compareAndSet(node, message, null)) {
          Mailboxes.countDropped(1);
        }
        return DROPPED_ENDED;
      }
      if (WAITER.compareAndSet(this, w, null)) {
        LockSupport.unpark((Thread) w);
      }
    }
    return APPENDED;
  }

  /**
   * Waits until {@code b} has room, is replaced, or the mailbox closes; the caller then tries
   * again. Re-checks the owner's liveness every {@link #LIVENESS_CHECK_NANOS}, for owners that
   * end without closing their mailbox (threads not started by this library).
   */
  private void awaitRoom(Bound b) {
    Thread me = Thread.currentThread();
    if (refersTo(me)) {
      throw new dev.mailboxthreads.MailboxFullException(
          "the mailbox of " + describe(me) + " is full (" + b.capacity
              + " messages, Overflow.BLOCK) and this is its own thread, which would wait for"
              + " itself: receive some messages first, or limit it with Overflow.FAIL or DROP");
    }
    try {
      for (;;) {
        b.enqueueBlocked(me); // then re-check: a release either sees us queued or we see room
        if (b.hasRoom() || bound != b || waiter == CLOSED || !ownerMayReceive()) {
          return;
        }
        if (Thread.interrupted()) {
          me.interrupt();
          throw new dev.mailboxthreads.MailboxInterruptedException();
        }
        LockSupport.parkNanos(this, LIVENESS_CHECK_NANOS);
        b.dequeueBlocked(me); // at most one entry per sender in the queue
      }
    } finally {
      b.dequeueBlocked(me);
    }
  }

  private static final long LIVENESS_CHECK_NANOS = 100_000_000L;

  /**
   * Sets, replaces ({@code b} non-null) or removes ({@code null}) the limit. Messages already in
   * the mailbox stay and do not count toward a new limit; senders blocked on the old limit
   * wake and try again under the new one.
   *
   * @param b the new limit, or null for none
   */
  public void limit(Bound b) {
    Bound old = (Bound) BOUND.getAndSet(this, b);
    if (old != null) {
      old.wakeAll();
    }
  }

  /**
   * The current limit's capacity, or -1 when unbounded.
   *
   * @return the capacity or -1
   */
  public int capacity() {
    Bound b = bound;
    return b == null ? -1 : b.capacity;
  }

  /** False when the owner thread has been collected or has terminated. */
  private boolean ownerMayReceive() {
    Thread owner = get();
    return owner != null && (owner.isAlive() || owner.getState() != Thread.State.TERMINATED);
  }

  @Override
  public void send(Object message) {
    if (deliver(message) == REFUSED_FULL) {
      throw full();
    }
  }

  /**
   * The exception for a send refused by a full mailbox ({@code Overflow.FAIL}).
   *
   * @return a new exception naming the owner and the limit
   */
  public dev.mailboxthreads.MailboxFullException full() {
    Thread t = get();
    return new dev.mailboxthreads.MailboxFullException("the mailbox of "
        + (t == null ? "an ended thread" : describe(t)) + " is full (limit " + capacity()
        + " messages, Overflow.FAIL); nothing was sent: retry later, or use trySend to test");
  }

  // ------------------------------------------------------------------ owner only

  /**
   * Removes and returns the oldest message, waiting as {@code timeoutNanos} says; rewinds the
   * cursor.
   *
   * @param timeoutNanos {@link Deadlines#FOREVER} to wait without limit, 0 to poll, or the wait
   * @return the message, or null if the time ran out
   */
  public Object take(long timeoutNanos) {
    // awaitAfter by hand: one frame fewer in the stack of every thread parked here, which a
    // parked virtual thread keeps on the heap (IdleHeap measures it)
    Node from = head;
    Node first = liveAfter(from);
    if (first == null && (timeoutNanos == 0 || (first = park(from, timeoutNanos)) == null)) {
      return null;
    }
    return removeFirst(first);
  }

  /** first == head.next and is live. */
  private Object removeFirst(Node first) {
    Object value = first.value;
    first.value = null;
    releasePlace(first);
    Node oldHead = head;
    head = first; // first becomes the stub
    if (oldHead == EMPTY) {
      afterEmpty = null; // read no more; would keep every later node reachable
    } else {
      NEXT.set(oldHead, oldHead); // unreachable now; a self-link keeps it from retaining the list
    }
    cursorPrev = null;
    if (first.next == null && TAIL.compareAndSet(this, first, EMPTY)) {
      // Now empty, and no producer holds `first` as its predecessor (one that swapped tail
      // after it would have made the CAS fail): back to the shared stub. The mailbox then
      // refers to no node at all, so a mailbox that lives long (in the old generation) does not
      // keep its last node alive until the next message, promoting one node per message.
      head = EMPTY;
      cursor = EMPTY;
    } else {
      cursor = first;
    }
    return value;
  }

  /**
   * Returns the message after the cursor without removing it and advances the cursor to it
   * (Gambit's {@code thread-mailbox-next}).
   *
   * @param timeoutNanos {@link Deadlines#FOREVER}, 0 to poll, or the wait
   * @return the message, or null if the time ran out (the cursor does not move then)
   */
  public Object next(long timeoutNanos) {
    Node n = awaitAfter(cursor, timeoutNanos);
    if (n == null) {
      return null;
    }
    cursorPrev = cursor;
    cursor = n;
    return n.value;
  }

  /** Gives back the place a removed message held in its limit, if it was counted in one. */
  private static void releasePlace(Node removed) {
    Bound b = removed.bound;
    if (b != null) {
      removed.bound = null;
      b.release();
    }
  }

  /** Moves the cursor back before the oldest message. */
  public void rewind() {
    cursor = head;
    cursorPrev = null;
  }

  /**
   * Removes the message the cursor points at, if mailboxNext returned one since the last rewind,
   * and rewinds.
   *
   * @return the removed message, or null if there was none to remove
   */
  public Object extractAndRewind() {
    Node c = cursor;
    if (c == head) {
      return null;
    }
    Object value = c.value;
    Node p = cursorPrev;
    if (p == head) {
      return removeFirst(c); // cheaper, leaves no tombstone, rewinds
    }
    c.value = null;
    releasePlace(c);
    Node after = c.next; // c is a message's node, never EMPTY
    if (after != null) {
      NEXT.set(p, after); // p.next was c, non-null: no producer writes it
    } // else c stays as a tombstone until it has a successor
    rewind();
    return value;
  }

  /**
   * Selective receive: the oldest message that matches, removed; the others stay in order.
   * Built from the cursor operations, as in Gambit. Rewinds the cursor whatever happens.
   *
   * @param filter tested on each message, oldest first
   * @param timeoutNanos {@link Deadlines#FOREVER}, 0 to poll, or the wait
   * @return the message, or null if the time ran out
   */
  public Object takeMatching(Predicate<Object> filter, long timeoutNanos) {
    rewind();
    long deadline = Deadlines.deadline(timeoutNanos);
    try {
      for (;;) {
        Object m = next(Deadlines.remaining(deadline, timeoutNanos));
        if (m == null) {
          return null;
        }
        if (filter.test(m)) {
          extractAndRewind();
          return m;
        }
      }
    } finally {
      rewind();
    }
  }

  /**
   * The first live node after {@code from}, waiting up to {@code timeoutNanos}; unlinks the
   * tombstones it passes.
   */
  private Node awaitAfter(Node from, long timeoutNanos) {
    Node n = liveAfter(from);
    if (n != null || timeoutNanos == 0) {
      return n;
    }
    return park(from, timeoutNanos);
  }

  private Node park(Node from, long timeoutNanos) {
    Thread me = Thread.currentThread();
    long deadline = Deadlines.deadline(timeoutNanos);
    for (;;) {
      if (Thread.interrupted()) {
        waiter = null;
        me.interrupt();
        throw new dev.mailboxthreads.MailboxInterruptedException();
      }
      waiter = me;
      Node n = liveAfter(from); // re-check after publishing ourselves
      if (n != null) {
        waiter = null;
        return n;
      }
      if (timeoutNanos == Deadlines.FOREVER) {
        LockSupport.park(this);
      } else {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          waiter = null;
          return null;
        }
        LockSupport.parkNanos(this, remaining);
      }
      n = liveAfter(from);
      if (n != null) {
        waiter = null;
        return n;
      }
    }
  }

  /** The first live node after {@code from}, or null; unlinks tombstones that have a successor. */
  private Node liveAfter(Node from) {
    Node n = nextOf(from);
    while (n != null && n.value == null) {
      Node after = n.next;
      if (after == null) {
        return null; // n is a tombstone at the end: a producer may be linking after it
      }
      setNext(from, after);
      n = after;
    }
    return n;
  }

  /** {@code node.next}, where EMPTY's next is this mailbox's {@link #afterEmpty}. */
  private Node nextOf(Node node) {
    return node == EMPTY ? afterEmpty : node.next;
  }

  /** {@code node.next = next} for the owner's unlinking; the same redirection as nextOf. */
  private void setNext(Node node, Node next) {
    if (node == EMPTY) {
      afterEmpty = next;
    } else {
      NEXT.set(node, next);
    }
  }

  /**
   * Number of messages now in the mailbox. Owner only; walks the list.
   *
   * @return the count
   */
  public int size() {
    int count = 0;
    for (Node n = nextOf(head); n != null; n = n.next) {
      if (n.value != null) {
        count++;
      }
    }
    return count;
  }

  // ------------------------------------------------------------------ closing

  /**
   * Closes the mailbox for good: every message still in it, and every message sent from now
   * on, is dropped and counted. Called by the owner as it ends, or after its death.
   */
  void close() {
    Object w = WAITER.getAndSet(this, CLOSED);
    if (w == CLOSED) {
      return;
    }
    // Every producer that appended without seeing CLOSED swapped `tail` before we set CLOSED,
    // so its node is at or before `last`; walk to it, waiting out producers that have swapped
    // but not linked yet. Producers after `last` see CLOSED and claim their own value.
    Node last = (Node) TAIL.getVolatile(this);
    long dropped = 0;
    Node p = head;
    while (p != last) {
      Node n = nextOf(p);
      if (n == null) {
        Thread.onSpinWait(); // a producer is between its getAndSet and its link
        continue;
      }
      Object v = n.value;
      if (v != null && VALUE.compareAndSet(n, v, null)) {
        dropped++;
        releasePlace(n);
      }
      p = n;
    }
    Bound b = bound;
    if (b != null) {
      b.wakeAll(); // blocked senders see CLOSED and drop their messages
    }
    // keep only the last node: earlier ones become garbage even if an Address outlives us
    head = p;
    cursor = p;
    cursorPrev = null;
    if (dropped > 0) {
      Mailboxes.countDropped(dropped);
    }
  }

  /** True once closed. */
  boolean isClosed() {
    return waiter == CLOSED;
  }

  // ------------------------------------------------------------------ identity

  /** Equal to another mailbox of the same (still reachable) thread; see {@link Mailboxes}. */
  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof Mailbox other)) {
      return false;
    }
    Thread t = get();
    return t != null && other.get() == t;
  }

  @Override
  public int hashCode() {
    return threadHash;
  }

  @Override
  public String toString() {
    Thread t = get();
    return t == null ? "Address[ended thread]" : "Address[" + describe(t) + "]";
  }

  static String describe(Thread t) {
    String name = t.getName();
    return (t.isVirtual() ? "virtual thread #" : "thread #") + t.threadId()
        + (name.isEmpty() ? "" : " \"" + name + "\"");
  }
}
