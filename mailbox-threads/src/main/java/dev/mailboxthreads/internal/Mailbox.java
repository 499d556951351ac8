package dev.mailboxthreads.internal;

import dev.mailboxthreads.Address;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import dev.mailboxthreads.Overflow;
import dev.mailboxthreads.spi.OwnerWait;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The mailbox of one thread: a multi-producer, single-consumer queue of array chunks with a
 * cursor.
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
   * Layout. Messages sit in the slots of Chunks (an Object[] each), in arrival order; chunks are
   * linked by `next`. A chunk's `claimed` counts the slots producers have claimed. The first
   * chunk after an empty state has FIRST_CHUNK slots, each next one four times as many as its
   * predecessor, up to MAX_CHUNK. A slot is null (not written yet), a message (or a Limited
   * wrapping a message and the limit it was counted in), or TAKEN (a tombstone: removed).
   *
   * False sharing. A send reads `tail`, `waiter`, `bound` and the referent of the mailbox and
   * getAndAdds `claimed`; a take writes the head position. If those writes hit a cache line the
   * producer reads or writes, every message moves that line between the two processors twice.
   * So the owner's per-message state lives in the head chunk, not in the mailbox (`taken`, the
   * head position), and a take writes nothing in the mailbox (it clears `cursor` only if set;
   * `head` changes once a chunk). In chunks of PADDED_FROM (32) slots and more (BigChunk, where
   * streams run) the owner's fields, `taken`, `dead` and `ownerSlots` (a second reference to the
   * same array), sit 64 bytes of ChunkPad away from the producers' `slots`, `claimed` and `next`
   * (ChunkProducerSide; the JVM lays a superclass's fields out before a subclass's): 104 bytes a
   * chunk instead of 32. Producers read only `slots`, the owner only `ownerSlots()`. Smaller
   * chunks (SmallChunk, 32 bytes) keep the owner's fields beside the producers': a mailbox that
   * holds a message or two (a ring) allocates one per hop, and padding them made the ring of
   * 10^6 threads slower (docs/benchmarks.md, session 5). Owner code reaches its fields through
   * Chunk's abstract accessors: two receiver classes, which the JIT inlines. Measured on 1 -> 1
   * streaming, platform threads, against the mailbox before: 1.26x (median of 8 interleaved
   * pairs, every chunk padded), 2.42x (median of 5 pairs, this layout; 1.34x JCTools + park),
   * on a shared, noisy machine; 1.49x and 1.71x JCTools + park in a quiet run (docs/benchmarks.md,
   * session 5). The mailbox lost its head index (64 bytes instead of 72).
   *
   * Send. A producer reads `tail` and claims slot i = claimed++ (getAndAdd: the linearization
   * point of send). If i < length it writes its message into slot i with release semantics.
   * If i >= length the chunk is full: the producer links a new chunk, holding its message in
   * slot 0 and claimed = 1, by CAS of `next` from null (if that fails another producer linked
   * one: it helps move `tail` there and tries again), then moves `tail` to it by CAS. A
   * producer's messages thus sit in increasing positions (per-sender FIFO); a claimed slot is
   * always written (no code can fail between the getAndAdd and the write). Between the two a
   * slot is claimed but null: the owner treats the mailbox as empty from there (it must not
   * skip the slot), like the cut in a linked list between swap and link.
   *
   * Empty state. A mailbox that holds no chunk has head == tail == EMPTY, a chunk of length 0
   * shared by every mailbox and never written. A producer that reads EMPTY from `tail` makes a
   * first chunk holding its message and installs it by CAS of `tail` from EMPTY, then writes
   * `head` (volatile): `head` is the owner's field except while it is EMPTY, when only the
   * producer that won that CAS writes it. The owner sees tail != EMPTY with head == EMPTY as
   * "a message is on its way" (below). A mailbox returns to EMPTY when the owner is about to
   * park with nothing left (`tryReset`): it writes head = EMPTY, then seals the head chunk by
   * CAS of `claimed` from its own position h to SEALED (which succeeds only if no producer
   * claimed a slot after h, and makes every later getAndAdd return >= SEALED), then moves
   * `tail` from the sealed chunk to EMPTY. A producer that claims >= SEALED helps move `tail`
   * to EMPTY and tries again; one that claims in [length, SEALED) knows the chunk is full and
   * never sealed, so the owner will follow its `next`. `tail` may lag behind the chunk the owner
   * sealed (producers move it one chunk at a time); the owner then moves it to EMPTY only if its
   * chain still ends at the sealed chunk, so that a chunk installed meanwhile is never lost. So
   * an idle thread (parked in receive) holds no chunk, and a ring of 10^6 threads no 10^6
   * chunks.
   *
   * Owner. `head`/`head.taken` is the oldest position that may hold a live message: slots
   * before it are consumed. Taking the oldest message writes TAKEN into its slot (so the
   * message can be collected) and moves `taken` on (a chunk is the head at most once, so a new
   * head's `taken` is 0; EMPTY's is never written); tombstones at the head are skipped
   * lazily, and a consumed chunk is left for its `next` (the old one becomes garbage).
   * The cursor (Gambit semantics) is `cursor`/`cursorIndex`, the slot of the message last
   * returned by mailboxNext, or cursor == null when rewound. Removing the message under the
   * cursor (mailboxExtractAndRewind, selective receive) anywhere but at the head writes TAKEN
   * into its slot: a tombstone every traversal skips. Slots never move, so the cursor stays
   * valid whatever producers do. A chunk whose slots are all tombstones (`dead` == length) and
   * that has a successor is unlinked by the next traversal that passes it (the owner writes the
   * predecessor's `next`, already non-null, which no producer writes again), so a message stuck
   * at the head while later ones are taken selectively costs at most one partly dead chunk per
   * live message, not one slot per message ever taken.
   *
   * Spinning: before it publishes itself (below), an owner whose last park was short looks for
   * an arrival a bounded number of times (arrivedWhileSpinning). It only reads, and whatever it
   * sees it then parks only after the publish-and-re-check below, so the argument there is
   * unchanged. `spin` is the owner's own state and decides it.
   *
   * Parking: the owner publishes itself in `waiter` (volatile write), re-checks, and parks only
   * if nothing is on its way. A producer's claim (getAndAdd), link (CAS of next) or install (CAS
   * of tail) comes before its volatile read of `waiter`; the owner's re-check reads, after its
   * write of `waiter`, the same variables: `claimed` of the chunk where it stopped (a claim
   * beyond its position means a message is being written: it spins until the slot is written,
   * never parks), that chunk's `next`, or `head`/`tail` when empty. Sequential consistency of
   * these accesses makes the owner see the producer's step or the producer see the owner; a
   * producer that finds a thread CASes `waiter` to null and unparks it, so only one pays. An
   * owner with an OwnerWait (dev.mailboxthreads.spi) publishes that instead of itself and waits
   * in it instead of parking; the producer calls its wake() instead of unpark: the same argument.
   *
   * Closing: `waiter` = CLOSED is terminal. The closer then walks from the head through every
   * claimed slot (waiting out producers between claim and write), claiming every remaining
   * value by CAS (value -> TAKEN) and counting it as dropped. A producer checks `waiter` before
   * appending (so a closed mailbox does not grow) and again after writing; if it then sees
   * CLOSED it tries to claim its own value by CAS. A producer whose claim came before CLOSED is
   * seen by the walk; one whose claim came after sees CLOSED. Exactly one of closer and producer
   * wins each value, so every message is either received, or counted as dropped exactly once.
   */

  /**
   * The chunk of every mailbox that holds none: length 0, shared, never written ({@code claimed}
   * stays 0 and {@code next} null), so that an idle mailbox costs no chunk.
   */
  private static final Chunk EMPTY = Chunk.of(0, null);

  /** True while nobody has written the shared empty chunk; for tests. */
  static boolean emptyStubUntouched() {
    return EMPTY.slots.length == 0 && EMPTY.taken() == 0 && (int) CLAIMED.getVolatile(EMPTY) == 0
        && NEXT.getVolatile(EMPTY) == null;
  }

  /** The value of {@link #waiter} once the mailbox is closed; terminal. */
  private static final Object CLOSED = new Object();

  /**
   * The installed {@link OwnerWait}s by owner thread (dev.mailboxthreads.spi): few, and looked
   * up only by an owner about to wait while {@link #ownerWaitCount} is not 0, so a mailbox pays
   * nothing for them (no field). Writes under the map's own locking; the count is written after
   * each install and removal; an owner that reads 0 has no wait to find, one that reads more looks
   * its own up (none: it parks).
   */
  private static final java.util.concurrent.ConcurrentHashMap<Thread, OwnerWait> OWNER_WAITS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The size of {@link #OWNER_WAITS}; see there. */
  private static volatile int ownerWaitCount;

  /**
   * See {@link dev.mailboxthreads.spi.OwnerWaits#install}.
   *
   * @param owner the thread
   * @param wait how it waits
   * @return true if installed
   */
  public static boolean installOwnerWait(Thread owner, OwnerWait wait) {
    synchronized (OWNER_WAITS) {
      if (OWNER_WAITS.putIfAbsent(owner, wait) != null) {
        return false;
      }
      ownerWaitCount = OWNER_WAITS.size();
      return true;
    }
  }

  /**
   * See {@link dev.mailboxthreads.spi.OwnerWaits#remove}.
   *
   * @param owner the thread
   * @param wait its wait
   * @return true if removed
   */
  public static boolean removeOwnerWait(Thread owner, OwnerWait wait) {
    synchronized (OWNER_WAITS) {
      if (!OWNER_WAITS.remove(owner, wait)) {
        return false;
      }
      ownerWaitCount = OWNER_WAITS.size();
      return true;
    }
  }

  /** A removed message's slot. */
  private static final Object TAKEN = new Object();

  /**
   * Slots of the first chunk after an empty state: small, for mailboxes that hold one or two at a
   * time (8 made the ring of 10^6 threads slower: docs/benchmarks.md).
   */
  static final int FIRST_CHUNK = 2;

  /** Most slots in a chunk: each next chunk has four times as many as its predecessor. */
  static final int MAX_CHUNK = 128;

  /**
   * How many times an owner on a platform thread looks for an arrival, with {@link
   * Thread#onSpinWait} in between (about 30 ns each on the benchmark machine), before it parks
   * while {@link #spin} is set; 0 on a single processor. Property {@code dev.mailboxthreads.spins}.
   */
  static final int PLATFORM_SPINS = spins("dev.mailboxthreads.spins", 512);

  /**
   * The same for an owner on a virtual thread: fewer, about a microsecond, because the thread it
   * waits for may be queued on the same carrier, where a spin only delays it; none by default
   * when virtual threads have one carrier ({@code -Djdk.virtualThreadScheduler.parallelism=1}),
   * where the thread it waits for cannot run until it parks. Property {@code
   * dev.mailboxthreads.virtualSpins}.
   */
  static final int VIRTUAL_SPINS = spins("dev.mailboxthreads.virtualSpins",
      defaultVirtualSpins(System.getProperty("jdk.virtualThreadScheduler.parallelism"),
          Runtime.getRuntime().availableProcessors()));

  /**
   * {@link #VIRTUAL_SPINS} unless a property says otherwise: 32, or 0 when the JDK's scheduler
   * runs virtual threads on one carrier (its parallelism property, which defaults to the number
   * of processors, is 1). On one carrier a ping-pong of two virtual threads that spin makes
   * 0.37 M round trips/s, and 1.8 M without the spin (docs/benchmarks.md, "Session 8").
   *
   * @param parallelism the value of {@code jdk.virtualThreadScheduler.parallelism}, or null
   * @param processors available processors
   * @return spins per wait
   */
  static int defaultVirtualSpins(String parallelism, int processors) {
    int carriers = processors;
    if (parallelism != null) {
      try {
        carriers = Integer.parseInt(parallelism.trim());
      } catch (NumberFormatException e) {
        // not a number: the JDK cannot use it either; keep the processors
      }
    }
    return carriers < 2 ? 0 : 32;
  }

  /**
   * A park of a platform thread that ends within this many nanoseconds turns spinning on: a
   * spin that long, plus the wake-up, would likely have caught the message.
   */
  static final long PLATFORM_SHORT_WAIT = 64_000;

  /**
   * The same for a virtual thread, whose spin is shorter but whose wake-up goes through the
   * scheduler's queue (tens of microseconds when the carriers are busy).
   */
  static final long VIRTUAL_SHORT_WAIT = 50_000;

  private static int spins(String property, int otherwise) {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return 0;
    }
    return Integer.getInteger(property, otherwise);
  }

  /** {@code claimed} of a chunk the owner gave up when the mailbox emptied; see the notes. */
  private static final int SEALED = 1 << 30;

  private static final VarHandle TAIL;
  private static final VarHandle HEAD;
  private static final VarHandle WAITER;
  private static final VarHandle NEXT;
  private static final VarHandle CLAIMED;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
  private static final VarHandle NEXT_IN_BUCKET;
  private static final VarHandle BOUND;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(Mailbox.class, "tail", Chunk.class);
      HEAD = lookup.findVarHandle(Mailbox.class, "head", Chunk.class);
      WAITER = lookup.findVarHandle(Mailbox.class, "waiter", Object.class);
      NEXT = lookup.findVarHandle(ChunkProducerSide.class, "next", Chunk.class);
      CLAIMED = lookup.findVarHandle(ChunkProducerSide.class, "claimed", int.class);
      NEXT_IN_BUCKET = lookup.findVarHandle(Mailbox.class, "nextInBucket", Mailbox.class);
      BOUND = lookup.findVarHandle(Mailbox.class, "bound", Bound.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * The producers' fields of a chunk: what a send reads and writes. In a {@link BigChunk}, 64
   * bytes of {@link ChunkPad} keep them off the cache line of the owner's fields, which the owner
   * writes on every take; see the notes (false sharing).
   */
  abstract static class ChunkProducerSide {
    /** The slots; see the class notes for their states. The producers' copy. */
    final Object[] slots;
    /**
     * Slots claimed by producers (getAndAdd; may exceed the length), or SEALED and more once the
     * owner gave the chunk up. Accessed through CLAIMED, except in the constructor.
     */
    int claimed;
    /**
     * The next chunk: null, then set once by CAS; after that only the owner rewrites it (to
     * unlink dead chunks). Accessed through NEXT.
     */
    Chunk next;

    ChunkProducerSide(Object[] slots) {
      this.slots = slots;
    }
  }

  /**
   * An array of message slots and the link to the next chunk. The owner's fields are in the two
   * subclasses: {@link SmallChunk} (fewer than {@link #PADDED_FROM} slots: 32 bytes, for
   * mailboxes that hold a message or two, as in a ring) and {@link BigChunk} (104 bytes, the
   * owner's fields padded away from the producers': streams).
   */
  abstract static class Chunk extends ChunkProducerSide {
    /** Chunks of at least this many slots are {@link BigChunk}s. */
    static final int PADDED_FROM = 32;

    Chunk(Object[] slots, Object first) {
      super(slots);
      if (first != null) {
        slots[0] = first;
        claimed = 1; // plain writes: the chunk is published by a CAS
      }
    }

    /** A chunk of {@code length} slots, with {@code first} in slot 0 unless it is null. */
    static Chunk of(int length, Object first) {
      Object[] slots = new Object[length];
      return length >= PADDED_FROM ? new BigChunk(slots, first) : new SmallChunk(slots, first);
    }

    /** The slots, as the owner reads them (a copy of the reference on its own line if big). */
    abstract Object[] ownerSlots();

    /**
     * While this chunk is the head: the slot of the oldest message that may be live (slots
     * before it are consumed). Owner only (or the closer, once the owner is gone); never
     * written in EMPTY.
     */
    abstract int taken();

    /** Sets {@link #taken()}. */
    abstract void taken(int slot);

    /** Tombstones left by removals from the middle. Owner only. */
    abstract int dead();

    /** Counts one more tombstone. */
    abstract void addDead();
  }

  /** A chunk with the owner's fields next to the producers'. */
  static final class SmallChunk extends Chunk {
    private int taken;
    private int dead;

    SmallChunk(Object[] slots, Object first) {
      super(slots, first);
    }

    @Override
    Object[] ownerSlots() {
      return slots;
    }

    @Override
    int taken() {
      return taken;
    }

    @Override
    void taken(int slot) {
      taken = slot;
    }

    @Override
    int dead() {
      return dead;
    }

    @Override
    void addDead() {
      dead++;
    }
  }

  /**
   * 64 bytes between the producers' fields and the owner's, so that no cache line holds both
   * (the JVM lays a superclass's fields out before a subclass's).
   */
  @SuppressWarnings("unused")
  abstract static class ChunkPad extends Chunk {
    private long p0;
    private long p1;
    private long p2;
    private long p3;
    private long p4;
    private long p5;
    private long p6;
    private long p7;

    ChunkPad(Object[] slots, Object first) {
      super(slots, first);
    }
  }

  /**
   * A chunk with the owner's fields 64 bytes away from the producers'. Its accessors repeat
   * SmallChunk's on purpose: the fields must be declared below ChunkPad here and directly above
   * Chunk there, so no common class can hold them.
   */
  static final class BigChunk extends ChunkPad {
    /** The same array as {@link #slots}: the owner's copy, read on its own cache line. */
    private final Object[] ownerSlots;
    private int taken;
    private int dead;

    BigChunk(Object[] slots, Object first) {
      super(slots, first);
      ownerSlots = slots;
    }

    @Override
    Object[] ownerSlots() {
      return ownerSlots;
    }

    @Override
    int taken() {
      return taken;
    }

    @Override
    void taken(int slot) {
      taken = slot;
    }

    @Override
    int dead() {
      return dead;
    }

    @Override
    void addDead() {
      dead++;
    }
  }

  /** A message counted in a limit: the limit's place is given back when it is removed. */
  private static final class Limited {
    final Object message;
    final Bound bound;

    Limited(Object message, Bound bound) {
      this.message = message;
      this.bound = bound;
    }
  }

  /** {@link #hash} of the owner thread, fixed at creation; the registry's hash. */
  final int threadHash;

  /**
   * The chunk producers claim slots in: the newest, or one behind it while a producer that
   * linked a new chunk has not moved it yet. EMPTY when the mailbox holds no chunk.
   */
  @SuppressWarnings("unused") // accessed through TAIL
  private volatile Chunk tail;

  /**
   * null; the owner thread while it is about to park or parked, or its {@link OwnerWait} while it
   * is about to wait or waits there (a producer that takes it calls its wake instead of
   * unparking); or CLOSED (terminal).
   */
  private volatile Object waiter;

  /**
   * The chunk of the oldest message, or EMPTY. The owner's, except while EMPTY: then written
   * once (volatile, through HEAD) by the producer that installed the first chunk.
   */
  private Chunk head;

  /** The chunk of the message last returned by mailboxNext, or null when rewound. Owner only. */
  private Chunk cursor;

  /** The slot of that message in cursor. Owner only. */
  private int cursorIndex;

  /**
   * The next mailbox in this one's registry bucket. Written only under the registry's lock,
   * read without it; see {@link Mailboxes}. A mailbox is 64 bytes with it and {@link #spin}
   * (the head position lives in the head chunk: see the notes, false sharing).
   */
  @SuppressWarnings("unused") // accessed through NEXT_IN_BUCKET
  private Mailbox nextInBucket;

  /**
   * Whether the owner spins before it parks: set when its last park was short (the messages
   * come fast, so a spin would catch the next one without a park and an unpark), cleared when it
   * was long or timed out (a ring of many threads, an idle server: spinning would only waste a
   * processor, or a virtual thread's carrier), and cleared when a {@code take} finds two
   * messages waiting: the sender streams, and an owner that parks when it catches up wakes to a
   * batch, while one that spins takes each message as it lands and fights the sender for the
   * cache lines it writes (measured: 1 -> 1 streaming on platform threads fell from 30-37 M/s to
   * 15 M/s, docs/benchmarks.md). One waiting message is no sign: in a ping-pong the peer's next
   * message often lands before the owner calls receive again. So spinning serves exchanges
   * (ping-pong, request and reply), where no backlog forms. The same holds on virtual threads,
   * where a park costs more: keeping the spin there after a backlog took the parks of a stream
   * from 230,000 a second to 250, but left the owner in lock-step with its sender, slower in
   * the host's slow phases (docs/benchmarks.md, session 6). Starts cleared. Owner only.
   */
  private boolean spin;

  /**
   * Whether a virtual owner yields once before it parks: set when a {@code take} finds two
   * messages waiting (a stream), cleared when a yield brought nothing. The owner of a stream
   * catches up with its sender again and again; parking each time makes the sender pay an
   * unpark (a task submission to the scheduler) for every batch, and on two carriers the batches
   * were about 95 messages, 230,000 parks a second (session 6). Yielding instead lets the sender,
   * or any other virtual thread, run, and the owner resumes to the next batch without anyone
   * paying an unpark: virtual 1 -> 1 streaming went from 16-24 M to 27-31 M messages/s
   * (docs/benchmarks.md, "Session 8"). Only a backlog turns it on, so a ring's token or a
   * ping-pong's ball (one message at a time) never yields; a yield that brings one message (an
   * exchange, such as a ping-pong that once saw two) or none turns it off, so a virtual owner
   * whose stream stops pays one yield, then parks. Platform owners ignore it (a platform
   * thread's yield is a system call that promises nothing). Owner only.
   */
  private boolean yieldBeforePark;

  /** The limit, or null when unbounded (the default). Replaced by {@link #limit}. */
  private volatile Bound bound;

  Mailbox(Thread owner, ReferenceQueue<? super Thread> queue) {
    super(owner, queue);
    this.threadHash = hash(owner);
    this.head = EMPTY;
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
    Object item = b == null ? message : new Limited(message, b);
    for (;;) {
      Chunk c = (Chunk) TAIL.getVolatile(this);
      if (c == EMPTY) {
        Chunk first = Chunk.of(FIRST_CHUNK, item);
        if (TAIL.compareAndSet(this, EMPTY, first)) {
          HEAD.setVolatile(this, first); // head is ours while EMPTY: see the notes
          return published(first, 0, item);
        }
        continue;
      }
      Object[] slots = c.slots;
      int i = (int) CLAIMED.getAndAdd(c, 1);
      if (i < slots.length) {
        SLOT.setRelease(slots, i, item);
        return published(c, i, item);
      }
      if (i >= SEALED) {
        TAIL.compareAndSet(this, c, EMPTY); // help the owner that gave c up; then install
        continue;
      }
      // c is full and was never sealed: the owner will follow its next
      Chunk n = (Chunk) NEXT.getVolatile(c);
      if (n == null) {
        Chunk fresh = Chunk.of(Math.min(slots.length * 4, MAX_CHUNK), item);
        if (NEXT.compareAndSet(c, null, fresh)) {
          TAIL.compareAndSet(this, c, fresh);
          return published(fresh, 0, item);
        }
        n = (Chunk) NEXT.getVolatile(c);
      }
      TAIL.compareAndSet(this, c, n);
    }
  }

  /**
   * After {@code item} was written into slot {@code i} of {@code c} (by a claim, a link or an
   * install, each before this volatile read of waiter): wakes the owner, or takes the message
   * back if the mailbox was closed meanwhile.
   */
  private int published(Chunk c, int i, Object item) {
    Object w = waiter;
    if (w != null) {
      if (w == CLOSED) {
        // Closed while we appended: the closer may or may not have seen our slot.
        if (SLOT.compareAndSet(c.slots, i, item, TAKEN)) {
          Mailboxes.countDropped(1);
          releasePlace(item);
        }
        return DROPPED_ENDED;
      }
      if (WAITER.compareAndSet(this, w, null)) {
        if (w instanceof Thread t) {
          LockSupport.unpark(t);
        } else {
          ((OwnerWait) w).wake();
        }
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
    // awaitHead by hand: one frame fewer in the stack of every thread parked here, which a
    // parked virtual thread keeps on the heap (IdleHeap measures it)
    if (!headLive()) {
      if (timeoutNanos == 0) {
        return null;
      }
      long deadline = Deadlines.deadline(timeoutNanos);
      do {
        if (!await(null, 0, timeoutNanos, deadline)) {
          return null;
        }
      } while (!headLive());
    } else {
      noteBacklog();
    }
    return removeHead();
  }

  /**
   * {@link #take(long)} without a time limit: thread-receive, what a mailbox thread's loop waits
   * in. A method of its own, with a wait of its own ({@link #awaitHeadForever}), because of the
   * frames a virtual thread parked here keeps on the heap: a compiled frame is as large as the
   * most values its method keeps across any one call, and the timed wait keeps its time, its
   * deadline and a position across the park. Parked in this one, a thread's stack chunk is
   * smaller (IdleHeap measures it; docs/benchmarks.md, "Session 9").
   *
   * @return the message
   */
  public Object take() {
    if (!headLive()) {
      do {
        awaitHeadForever();
      } while (!headLive());
    } else {
      noteBacklog();
    }
    return removeHead();
  }

  /**
   * A backlog (a second message behind the head one): a stream, where parking batches better
   * than spinning (see spin), and yielding better than parking for a virtual owner (see
   * yieldBeforePark). Called when headLive() found the head live.
   */
  private void noteBacklog() {
    if ((spin || !yieldBeforePark) && secondWaiting()) {
      spin = false;
      yieldBeforePark = true;
    }
  }

  /** Whether a message after the head one has arrived too; headLive() found the head live. */
  private boolean secondWaiting() {
    Chunk c = head;
    Object[] slots = c.ownerSlots();
    int i = c.taken() + 1;
    return i < slots.length ? SLOT.getAcquire(slots, i) != null : NEXT.getAcquire(c) != null;
  }

  /** Removes the message at the head position, which headLive() found live; rewinds. */
  private Object removeHead() {
    Chunk c = head;
    Object[] slots = c.ownerSlots();
    int i = c.taken();
    Object item = slots[i];
    slots[i] = TAKEN; // plain: only a closer CASes a written slot, and not while we run
    c.taken(i + 1);
    if (cursor != null) {
      cursor = null; // only if set: no write to the mailbox's line per message (false sharing)
    }
    releasePlace(item);
    return messageOf(item);
  }

  /**
   * Moves the head position over tombstones and consumed chunks to the oldest live message.
   *
   * @return true if there is one (at head/head.taken), false if none is there now
   */
  private boolean headLive() {
    for (;;) {
      Chunk c = head;
      if (c == EMPTY) {
        c = (Chunk) HEAD.getAcquire(this); // a producer may have installed a first chunk
        if (c == EMPTY) {
          return false;
        }
      }
      Object[] slots = c.ownerSlots();
      int i = c.taken();
      if (i == slots.length) {
        Chunk n = (Chunk) NEXT.getAcquire(c);
        if (n == null) {
          return false;
        }
        head = n; // c is consumed: garbage; n.taken() is 0 (never the head before)
        continue;
      }
      Object v = SLOT.getAcquire(slots, i);
      if (v == null) {
        return false;
      }
      if (v != TAKEN) {
        return true;
      }
      c.taken(i + 1);
    }
  }

  /** Waits until headLive(); false if the time ran out. */
  private boolean awaitHead(long timeoutNanos) {
    long deadline = Deadlines.deadline(timeoutNanos);
    do {
      if (!await(null, 0, timeoutNanos, deadline)) {
        return false;
      }
    } while (!headLive());
    return true;
  }

  /**
   * Returns the message after the cursor without removing it and advances the cursor to it
   * (Gambit's {@code thread-mailbox-next}).
   *
   * @param timeoutNanos {@link Deadlines#FOREVER}, 0 to poll, or the wait
   * @return the message, or null if the time ran out (the cursor does not move then)
   */
  public Object next(long timeoutNanos) {
    Chunk c = cursor;
    if (c == null) { // rewound: the oldest message
      if (!headLive() && (timeoutNanos == 0 || !awaitHead(timeoutNanos))) {
        return null;
      }
      Chunk h = head;
      cursor = h;
      cursorIndex = h.taken();
      return messageOf(h.ownerSlots()[h.taken()]);
    }
    int i = cursorIndex + 1;
    long deadline = Deadlines.deadline(timeoutNanos);
    for (;;) {
      Object[] slots = c.ownerSlots();
      if (i == slots.length) {
        Chunk n = (Chunk) NEXT.getAcquire(c);
        if (n != null) {
          c = unlinkDeadAfter(c, n);
          i = 0;
          continue;
        }
      } else {
        Object v = SLOT.getAcquire(slots, i);
        if (v == TAKEN) {
          i++;
          continue;
        }
        if (v != null) {
          cursor = c;
          cursorIndex = i;
          return messageOf(v);
        }
      }
      // nothing after (c, i) yet; everything between the cursor and there is removed
      if (timeoutNanos == 0 || !await(c, i, timeoutNanos, deadline)) {
        return null;
      }
    }
  }

  /**
   * {@code n} == c.next; unlinks the chunks from n on that hold only tombstones and have a
   * successor (no producer writes a non-null next, and none of their slots is live), and
   * returns the first one kept.
   */
  private static Chunk unlinkDeadAfter(Chunk c, Chunk n) {
    Chunk after;
    while (n.dead() == n.ownerSlots().length && (after = (Chunk) NEXT.getAcquire(n)) != null) {
      NEXT.setRelease(c, after);
      n = after;
    }
    return n;
  }

  /** Gives back the place a removed message held in its limit, if it was counted in one. */
  private static void releasePlace(Object item) {
    if (item instanceof Limited l) {
      l.bound.release();
    }
  }

  /** The message in a slot's item. */
  private static Object messageOf(Object item) {
    return item instanceof Limited l ? l.message : item;
  }

  /** Moves the cursor back before the oldest message. */
  public void rewind() {
    cursor = null;
  }

  /**
   * Removes the message the cursor points at, if mailboxNext returned one since the last rewind,
   * and rewinds.
   *
   * @return the removed message, or null if there was none to remove
   */
  public Object extractAndRewind() {
    Chunk c = cursor;
    if (c == null) {
      return null;
    }
    int i = cursorIndex;
    if (c == head && i == c.taken()) {
      return removeHead(); // cheaper, leaves no tombstone, rewinds
    }
    Object item = c.ownerSlots()[i];
    c.ownerSlots()[i] = TAKEN; // a tombstone; see the notes
    c.addDead();
    cursor = null;
    releasePlace(item);
    return messageOf(item);
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
   * Waits until something may have arrived after position (c, i), or at the head when c is
   * null; the caller looks again. Gives the head chunk up first when waiting at the head
   * (nothing is live then).
   *
   * @return false if the time ran out
   */
  private boolean await(Chunk c, int i, long timeoutNanos, long deadline) {
    if (arrivedBeforePark(c, i)) {
      return true;
    }
    if (c == null) {
      tryReset();
    }
    long parkedAt = 0; // when it first parked; 0 before (a clock reading of 0 only misleads spin)
    OwnerWait ownerWait = ownerWait();
    for (;;) {
      publishWaiter(ownerWait);
      int s = arriving(c, i); // re-check after publishing
      if (s == NONE) {
        parkedAt = firstPark(parkedAt);
        if (timeoutNanos == Deadlines.FOREVER) {
          if (ownerWait != null) {
            ownerWait.await(Long.MAX_VALUE);
          } else {
            LockSupport.park(this);
          }
        } else {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            waiter = null;
            spin = false;
            return false;
          }
          if (ownerWait != null) {
            ownerWait.await(remaining);
          } else {
            LockSupport.parkNanos(this, remaining);
          }
        }
        s = arriving(c, i);
      }
      if (s != NONE) {
        arrived(parkedAt);
        if (s == WRITING) {
          writeAwaited(c, i);
        }
        return true;
      }
    }
  }

  /**
   * {@code await(null, 0, FOREVER, 0)}, for {@link #take()}: the same steps, with only the
   * mailbox, the owner's wait and the time of the first park kept across the park, so that its
   * compiled frame stays small (see take()).
   */
  private void awaitHeadForever() {
    if (arrivedBeforePark(null, 0)) {
      return;
    }
    tryReset();
    long parkedAt = 0;
    OwnerWait ownerWait = ownerWait();
    for (;;) {
      publishWaiter(ownerWait);
      int s = arrivingAtHead(); // re-check after publishing
      if (s == NONE) {
        parkedAt = firstPark(parkedAt);
        if (ownerWait != null) {
          ownerWait.await(Long.MAX_VALUE);
        } else {
          LockSupport.park(this);
        }
        s = arrivingAtHead();
      }
      if (s != NONE) {
        arrived(parkedAt);
        if (s == WRITING) {
          writeAwaited(null, 0);
        }
        return;
      }
    }
  }

  /**
   * Before a park: the spin while {@link #spin} is set, then, for a virtual owner after a
   * backlog, one yield (see {@link #yieldBeforePark}).
   *
   * @return true if something arrived after (c, i), or at the head when c is null
   */
  private boolean arrivedBeforePark(Chunk c, int i) {
    boolean virtual = Thread.currentThread().isVirtual();
    if (spin && arrivedWhileSpinning(c, i, virtual ? VIRTUAL_SPINS : PLATFORM_SPINS)) {
      return true;
    }
    if (yieldBeforePark && virtual) {
      Thread.yield();
      if (arriving(c, i) != NONE) {
        // a stream brings more than one message during a yield; an exchange (a ping-pong that
        // once saw two messages) brings one, and would otherwise yield before every park
        yieldBeforePark = c == null ? twoArrivedAtHead() : twoArrived(c, i);
        return true;
      }
      yieldBeforePark = false; // the stream has paused: park from now on
    }
    return false;
  }

  /**
   * Waits out a producer between its claim of the slot after (c, i), or at the head when c is
   * null, and its write, which comes soon: spins, then yields (backOff), counting within this
   * one wait.
   */
  private void writeAwaited(Chunk c, int i) {
    int spins = 0;
    while (arriving(c, i) == WRITING) {
      backOff(spins++);
    }
  }

  /** The wait the remote module gave the calling owner (OwnerWaits), or null: it parks. */
  private static OwnerWait ownerWait() {
    return ownerWaitCount == 0 ? null : OWNER_WAITS.get(Thread.currentThread());
  }

  /**
   * Publishes the calling owner as the waiter, unless it is interrupted.
   *
   * @throws dev.mailboxthreads.MailboxInterruptedException if it is; its status stays set
   */
  private void publishWaiter(OwnerWait ownerWait) {
    Thread me = Thread.currentThread();
    if (Thread.interrupted()) {
      waiter = null;
      me.interrupt();
      throw new dev.mailboxthreads.MailboxInterruptedException();
    }
    waiter = ownerWait != null ? ownerWait : me;
  }

  /**
   * The time of the owner's first park in this wait: {@code parkedAt} once set; now, unless the
   * owner never spins (then no clock is read, and spin stays off).
   */
  private static long firstPark(long parkedAt) {
    if (parkedAt == 0
        && (Thread.currentThread().isVirtual() ? VIRTUAL_SPINS : PLATFORM_SPINS) > 0) {
      return System.nanoTime();
    }
    return parkedAt;
  }

  /** Something arrived: the owner stops waiting; a park shorter than a spin's worth turns spin on. */
  private void arrived(long parkedAt) {
    waiter = null;
    if (parkedAt != 0) {
      spin = System.nanoTime() - parkedAt
          < (Thread.currentThread().isVirtual() ? VIRTUAL_SHORT_WAIT : PLATFORM_SHORT_WAIT);
    }
  }

  /**
   * Spins up to {@code spins} times looking for an arrival after (c, i), or at the head when c
   * is null, before the owner parks: a message that comes within that time spares its sender an
   * unpark and the owner a park and a wake-up. The head chunk is kept meanwhile.
   *
   * @return true if something arrived (the caller looks again)
   */
  private boolean arrivedWhileSpinning(Chunk c, int i, int spins) {
    for (; spins > 0; spins--) {
      Thread.onSpinWait();
      if (arriving(c, i) != NONE) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a second message has arrived after (c, i) where one has: a hint (a producer may
   * write its slot after a later producer wrote the next), read once after a yield.
   */
  private static boolean twoArrived(Chunk c, int i) {
    Object[] slots = c.ownerSlots();
    return i + 1 < slots.length ? SLOT.getVolatile(slots, i + 1) != null
        : NEXT.getVolatile(c) != null;
  }

  /** {@link #twoArrived} at the head; package-private for tests. */
  boolean twoArrivedAtHead() {
    Chunk c = (Chunk) HEAD.getVolatile(this);
    return c != EMPTY && twoArrived(c, c.taken());
  }

  /** arriving*: nothing on its way. */
  private static final int NONE = 0;

  /** arriving*: a message is there (or something changed): look again. */
  private static final int THERE = 1;

  /** arriving*: a producer claimed the next slot and has not written it yet. */
  private static final int WRITING = 2;

  /** What is on its way after (c, i), where the owner found nothing; volatile reads. */
  private static int arrivingAfter(Chunk c, int i) {
    Object[] slots = c.ownerSlots();
    if (i == slots.length) {
      return NEXT.getVolatile(c) != null ? THERE : NONE;
    }
    if (SLOT.getVolatile(slots, i) != null) {
      return THERE;
    }
    int claimed = (int) CLAIMED.getVolatile(c);
    return claimed > i && claimed < SEALED ? WRITING : NONE;
  }

  /** What is on its way after (c, i), or at the head when c is null; volatile reads. */
  private int arriving(Chunk c, int i) {
    return c == null ? arrivingAtHead() : arrivingAfter(c, i);
  }

  /** What is on its way at the head; volatile reads. */
  private int arrivingAtHead() {
    Chunk c = (Chunk) HEAD.getVolatile(this);
    if (c == EMPTY) {
      // an installer CASes tail, then writes head
      return TAIL.getVolatile(this) != EMPTY ? WRITING : NONE;
    }
    return arrivingAfter(c, c.taken());
  }

  /** Whether the owner spins before its next park; for tests. */
  boolean spinning() {
    return spin;
  }

  /** Whether a virtual owner yields before its next park; for tests. */
  boolean yieldingBeforePark() {
    return yieldBeforePark;
  }

  /** Sets {@link #spin}; for tests. */
  void spinning(boolean on) {
    spin = on;
  }

  /** Spins a little, then yields, while a producer is between its claim and its write. */
  private static void backOff(int spins) {
    if (spins < 64) {
      Thread.onSpinWait();
    } else {
      Thread.yield();
    }
  }

  /**
   * Gives the head chunk up when nothing after the head position was claimed, so that an idle
   * mailbox holds no chunk: head = EMPTY first (a producer may install a new first chunk, and
   * write head, as soon as the seal below is visible), then the seal, then tail = EMPTY.
   * Called only when headLive() returned false.
   */
  private void tryReset() {
    Chunk c = head;
    int h = c.taken();
    if (c == EMPTY || (int) CLAIMED.getVolatile(c) != h) {
      return;
    }
    head = EMPTY;
    if (!CLAIMED.compareAndSet(c, h, SEALED)) {
      head = c; // a producer claimed a slot meanwhile; c.taken() is still h
      return;
    }
    cursor = null;
    for (;;) {
      Chunk t = (Chunk) TAIL.getVolatile(this);
      if (t == EMPTY) {
        return; // a producer that saw the seal helped
      }
      Chunk x = t;
      Chunk n;
      while (x != c && (n = (Chunk) NEXT.getVolatile(x)) != null) {
        x = n;
      }
      if (x != c) {
        return; // t was installed after the reset: keep it
      }
      if (TAIL.compareAndSet(this, t, EMPTY)) {
        return; // t was c, or lagged behind it
      }
    }
  }

  /**
   * Number of messages now in the mailbox. Owner only; walks the chunks.
   *
   * @return the count
   */
  public int size() {
    Chunk c = (Chunk) HEAD.getAcquire(this);
    int count = 0;
    for (int i = c.taken(); c != null; c = (Chunk) NEXT.getAcquire(c), i = 0) {
      Object[] slots = c.ownerSlots();
      for (; i < slots.length; i++) {
        Object v = SLOT.getAcquire(slots, i);
        if (v == null) {
          return count;
        }
        if (v != TAKEN) {
          count++;
        }
      }
    }
    return count;
  }

  /**
   * Number of chunks from the head on, 0 when the mailbox holds none. Owner only; for tests.
   *
   * @return the count
   */
  int chunks() {
    int count = 0;
    for (Chunk c = (Chunk) HEAD.getAcquire(this); c != EMPTY && c != null;
        c = (Chunk) NEXT.getAcquire(c)) {
      count++;
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
    // Every producer that claimed a slot before we set CLOSED is counted in some `claimed` we
    // read below; walk every claimed slot, waiting out producers between claim and write.
    // Producers that claim later see CLOSED and take their own message back.
    long dropped = 0;
    Chunk c = (Chunk) HEAD.getVolatile(this);
    int i = c.taken(); // 0 in EMPTY
    int spins = 0;
    while (c == EMPTY && TAIL.getVolatile(this) != EMPTY) {
      backOff(spins++); // an installer between its CAS of tail and its write of head
      c = (Chunk) HEAD.getVolatile(this);
      i = 0;
    }
    while (c != EMPTY) {
      Object[] slots = c.ownerSlots();
      int claimed = (int) CLAIMED.getVolatile(c);
      if (claimed >= SEALED) {
        break; // given up: holds nothing
      }
      for (int end = Math.min(claimed, slots.length); i < end; i++) {
        Object v;
        while ((v = SLOT.getVolatile(slots, i)) == null) {
          backOff(spins++);
        }
        if (v != TAKEN && SLOT.compareAndSet(slots, i, v, TAKEN)) {
          dropped++;
          releasePlace(v);
        }
      }
      if (claimed <= slots.length) {
        break; // nobody went past this chunk
      }
      Chunk n;
      while ((n = (Chunk) NEXT.getVolatile(c)) == null) {
        backOff(spins++); // a producer is linking the next chunk
      }
      c = n;
      i = 0;
    }
    Bound b = bound;
    if (b != null) {
      b.wakeAll(); // blocked senders see CLOSED and drop their messages
    }
    // keep only the last chunk, emptied: earlier ones become garbage even if an Address outlives
    // us
    if (c != EMPTY) {
      head = c;
      c.taken(i);
    }
    cursor = null;
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
