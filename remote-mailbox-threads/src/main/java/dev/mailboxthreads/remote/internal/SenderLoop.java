package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.remote.SendTimeoutException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * The sending side of one connection: a bounded multi-producer queue of encoded frames (and of
 * Strings it encodes itself; see the notes), and a platform I/O thread that owns a PUSH socket
 * connected to the endpoints and moves frames from the queue into it.
 *
 * <p><b>Thread safety:</b> {@link #offer} and {@link #offerString} may be called by any number
 * of threads at once, platform or virtual; {@link #close} from any thread. Only the I/O thread
 * touches the socket, except that a sender may borrow it from the parked I/O thread for one
 * non-blocking send on a quiet connection (see the notes): JeroMQ sockets are not thread-safe,
 * so the socket has one owner at a time, and the borrower keeps JeroMQ away from its interrupt
 * status.
 */
public final class SenderLoop implements Runnable {
  /*
   * Implementation notes.
   *
   * `state` packs a CLOSED bit and the number of reserved slots (frames a sender has claimed
   * room for, appended or about to be, and not yet handed to the socket). A sender reserves with
   * one getAndIncrement (the fast path); if the count was already at capacity it gives the slot
   * back and takes the slow path, if CLOSED was set it gives it back and fails.
   *
   * The slow path serves waiters first come, first served: under `lock`, a sender takes a free
   * slot only if no sender waits before it; otherwise it joins the waiters (a FIFO list) and
   * parks until a slot is granted to it. grantFree (under lock) reserves free slots for the
   * oldest waiters, one each, and unparks them; it runs when a waiter joins, and whenever
   * slots are freed while someone waits: the I/O thread subtracts what it handed to the
   * socket, once per batch, then reads `waiting` (volatile, written under lock). Waiter "join,
   * write waiting, then read the count" against freer "subtract, then read waiting" is a
   * Dekker pair: either the waiter sees the freed slot in its own grantFree, or the freer sees
   * it waiting and grants.
   *
   * Before, freed slots were not granted: every waiter was woken (signalAll) to race the
   * running senders for them, and with 100,000 virtual senders of 200 messages each
   * (RemoteBench --only many) some lost that race for longer than the 10 s send timeout, in
   * three runs out of three, while the connection moved millions of messages a second. A
   * running sender may still take a slot on the fast path between a subtraction and the grant
   * that follows it (closing the fast path while anyone waits made every send under overload a
   * park and an unpark: 1.1-1.7 M messages/s there instead of 1.6-3.0 M), and every grant goes
   * to the oldest waiter, so waiters are served in the order they came.
   *
   * A waiter that times out or is interrupted unlinks itself, unless a slot was granted to it
   * meanwhile: then it sends (the slot is its, and an interrupted sender keeps its interrupt
   * status). Closing unlinks and unparks every waiter; one without a slot fails, one granted a
   * slot before the close sends, as a sender that reserved on the fast path before the close
   * does.
   *
   * Bytes: beside its slot a sender reserves the item's weight (its frame's length, or a String's
   * length in chars plus the JavaCodec prefix) in `queuedBytes`, with one getAndAdd; if the
   * queue already held byteCapacity or more it gives both back and takes the slow path, where a
   * grant needs a free slot and queuedBytes below byteCapacity, and adds the waiter's weight. So
   * the queue holds at most byteCapacity plus one item (and what concurrent fast-path senders
   * add past a moment's reading): a large message is taken as soon as a small one would be, and
   * none waits for room that may never come. The I/O thread subtracts the weight of what it
   * polls, once per batch, and grants (slotsFreed) before it hands the batch to the socket,
   * which may refuse it: bytes leave the queue then, slots only once handed over. A sender
   * that gives back a slot or bytes calls slotsFreed too, since a waiter may have looked while
   * it held them. "Subtract, then read waiting" against the waiter's "join, write waiting, then
   * read queuedBytes" is the same Dekker pair as for slots. Without batching, ZMQ_SNDHWM is at
   * most ConnectOptions.ZMQ_MAX_UNBATCHED frames: ZeroMQ counts messages, not bytes, and
   * 100,000 frames of 4 KiB behind our queue were 400 MB that no byte bound reached.
   *
   * Frames travel in a Vyukov MPSC linked list like the core mailbox: getAndSet `tail`, then a
   * volatile write of prev.next. Per sender, order is kept.
   *
   * A queued item is an encoded frame (byte[]), or a String sent without metadata on a JavaCodec
   * connection (offerString), which the I/O thread encodes itself, straight into the batch (or
   * the lone frame): header, JavaCodec's String tag, UTF-8. A String is immutable and always
   * encodes, so nothing a sender could observe changes; what changes is that the queue holds
   * the sender's String, not a copy of it, as ZeroMQ's own queue holds a sent byte[] (a 4 KiB
   * stream at the high-water mark used to keep 100,000 encoded copies alive, and the sending
   * JVM spent its time in the garbage collector copying them; docs/benchmarks.md).
   *
   * Batching (when options.batches()): the I/O thread packs the frames queued at that moment
   * (up to MAX_GROUP of them and MAX_BATCH_BYTES) into one ZeroMQ message, a batch frame
   * (Frames.batch, docs/wire-format.md); a lone frame goes as it is, so a quiet connection pays
   * no latency and no bytes for it. It never waits for more. ZeroMQ's costs are per message on
   * both sides (a Msg, a pipe write and flush, an encoder and a decoder step, a buffer), so under
   * load they are divided by the batch size. ZMQ_SNDHWM counts messages, so it is set to
   * sendHighWaterMark / MAX_GROUP: full batches then hold about sendHighWaterMark frames in
   * ZeroMQ, lone frames fewer (the queue in front still holds sendHighWaterMark). The I/O thread
   * polls no more than a batch takes: a full group leaves the next item queued.
   *
   * Waiting: with a frame refused by the socket (at its high-water mark) the I/O thread waits for
   * room inside JeroMQ, and beginClose cancels that wait (SocketWait; a Selector of our own on the
   * socket's signalling channel could busy-loop). With nothing to do it parks (at most a second,
   * then lets the socket process its pending commands): before parking it sets `mode` to PARKED and
   * re-checks the queue; a sender that appends and finds PARKED CASes it to RUNNING and unparks the
   * I/O thread: a futex wake, cheaper for both than Selector.wakeup's eventfd write and epoll
   * return, and harmless to an interrupted caller. Nothing needs an idle PUSH socket's commands
   * sooner: the next send processes them.
   *
   * Lending (direct send). Each hand-off between threads costs a wake-up (10 to 25 us on the 2-vCPU
   * hosts measured), and a round trip crossed two of ours, one SenderLoop per side, on top of raw
   * ZeroMQ's. So a sender that finds the I/O thread PARKED on a quiet connection (no frame handed
   * over for QUIET_NANOS: a stream is left to the I/O thread, which batches; a receiver connected,
   * the first handshake's watch over) may borrow the socket for one send: CAS `mode` PARKED -> LENT
   * (the socket's ownership moves with it: LENT is set only by that CAS and left only by the
   * borrower), then CAS `state` from 0 to 1, which reserves a slot and proves at once that the
   * connection is open and that nothing is queued, carried or refused (a reserved slot is released
   * only after its frame went to the socket), so per-sender order is kept: the sender's earlier
   * frames are in the socket already. The borrower sends with DONTWAIT and does the I/O thread's
   * bookkeeping (held, recentFrames, sent, release). If the socket refuses the frame (its
   * high-water mark, or JeroMQ saw an interrupt and gave EINTR) the borrower appends it to the
   * queue in its reserved slot, as enqueue would have. It gives the socket back by writing PARKED,
   * then re-checks `state`: anything reserved or CLOSED meanwhile, and it CASes PARKED -> RUNNING
   * and unparks the I/O thread. That re-check against a sender's "reserve, append, then read mode"
   * is a Dekker pair: either the sender sees PARKED and wakes the I/O thread, or the borrower sees
   * the reservation. The I/O thread, woken, takes the socket back (`reclaim`): RUNNING is already
   * its own, PARKED it CASes, LENT it waits out (one non-blocking send). Interrupts: JeroMQ turns a
   * pending interrupt into EINTR and clears it, so the borrower clears and remembers its status
   * before the send and restores it after; the signalling pipes JeroMQ writes to are non-blocking,
   * and the JDK only closes a channel on interrupt in blocking mode, so an interrupt cannot break
   * the context. JeroMQ's errno is a ThreadLocal: a thread that borrows gets an entry in its
   * thread-local map.
   *
   * Closing: set CLOSED, wake the I/O thread. It hands everything reserved to the socket, then
   * waits, within the linger, until ZeroMQ's pipe has given everything to the receiver's engine
   * (finishClose, polling PipeBacklog every millisecond), and closes the socket with what is
   * left of the linger, so ZeroMQ flushes what its engine still has in the background. If the
   * socket stays full (receiver down or stalled) past the linger, what is left is discarded and
   * counted; so is what the pipe still holds when the linger ends with the socket not full (a
   * slow receiver), and the socket then closes with linger 0 so that ZeroMQ drops just that.
   *
   * Held frames: a socket monitor (PeerWatch, an event hook) tells how many receivers are
   * connected now (ZMTP greeting done: HANDSHAKE_PROTOCOL, as JeroMQ 0.7.0 never emits
   * HANDSHAKE_SUCCEEDED; the greeting is matched only by a peer whose mechanism, NULL or CURVE,
   * agrees; until DISCONNECTED) and how many handshakes completed so far. A frame the I/O thread
   * hands to the socket while none is connected is "held": ZeroMQ keeps it in the pipe for a
   * receiver to come (back), since the pipe outlives the engine (our immediate flag). A handshake
   * ends the holding: the held frames go to that receiver (`held` back to 0, seen through the
   * handshake count, read before the connected count so that a handshake between the two reads
   * counts nothing as held). If frames are held when the socket is to be closed, the I/O thread
   * waits for a handshake up to the rest of the linger, and if none comes, closes with linger 0
   * and moves the held frames from sent to discarded: ZeroMQ could not have delivered any of
   * them. Before any handshake every frame handed over is held. An inproc endpoint has no
   * handshake: it counts as connected for good (PeerWatch).
   *
   * The backlog: when the I/O thread sees that the last receiver went (connected count from
   * above 0 to 0), what ZeroMQ's pipe still holds of what was handed over before is held too.
   * PipeBacklog reads the pipe's message count (JeroMQ internals, by reflection: unknown if
   * that fails); the frames of those messages are the last ones handed over, so with one pipe
   * and batching the frame counts of the latest messages (`recentFrames`, a ring as long as the
   * pipe can be) give them; without batching a message is a frame. With several pipes and
   * batching, which messages are whose is not known: only what was tracked is held. The same
   * count, taken when the linger ends with the socket still full (a receiver connected but not
   * reading), is what ZeroMQ drops then. Not counted (at most once, no acknowledgements): what
   * was in the engine or the kernel when the receiver went; with several endpoints, what the
   * round-robin gave to a down one while another was connected.
   */
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long CLOSED = 1L << 62;
  private static final long COUNT = CLOSED - 1;
  private static final int BATCH = 1024;
  /** Most frames packed into one ZeroMQ message. */
  static final int MAX_GROUP = 256;
  /** How long after connecting an ipc or tcp connection pokes JeroMQ's poller (pokeIfStuck). */
  private static final long POKE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How often it pokes. */
  private static final long POKE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** How often a closing connection looks whether ZeroMQ's pipe has drained (finishClose). */
  private static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Most bytes packed into one ZeroMQ message (a single larger frame goes alone). */
  private static final int MAX_BATCH_BYTES = 64 * 1024;
  /** `mode`: the I/O thread owns the socket and runs. */
  private static final int RUNNING = 0;
  /** `mode`: the I/O thread is (about to be) parked, waiting for frames; the socket is free. */
  private static final int PARKED = 1;
  /** `mode`: a sender borrowed the socket for one send (see the notes). */
  private static final int LENT = 2;
  /**
   * How long no frame must have been handed over before a sender may send itself: far below a
   * round trip (30 us and more on loopback), far above a stream's gap between messages.
   */
  static final long QUIET_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
  /**
   * Whether senders may borrow the socket; {@code -Ddev.mailboxthreads.remote.directSend=false}
   * turns it off.
   */
  static final boolean DIRECT_SEND =
      !"false".equals(System.getProperty("dev.mailboxthreads.remote.directSend"));

  private static final VarHandle STATE;
  private static final VarHandle TAIL;
  private static final VarHandle MODE;
  private static final VarHandle BYTES;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(SenderLoop.class, "state", long.class);
      TAIL = l.findVarHandle(SenderLoop.class, "tail", Node.class);
      MODE = l.findVarHandle(SenderLoop.class, "mode", int.class);
      BYTES = l.findVarHandle(SenderLoop.class, "queuedBytes", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final class Node {
    /**
     * An encoded frame (byte[]) or a String to encode (see the notes). Written by the producer
     * before publication; cleared by the I/O thread.
     */
    Object item;
    volatile Node next;

    Node(Object item) {
      this.item = item;
    }
  }

  private final ZMQ.Context context;
  private final ConnectOptions options;
  private final List<String> endpoints;
  private final String description;
  private final int capacity;
  /** The queue takes an item while it holds fewer bytes than this (see the notes). */
  private final long byteCapacity;
  private final Thread ioThread;
  /** Frames packed per ZeroMQ message at most: MAX_GROUP with batching, else 1. */
  private final int maxGroup;
  /** The codec id written in the frames of Strings offered with offerString. */
  private final int codecId;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /** CLOSED bit | reserved slots. */
  @SuppressWarnings("unused") // through STATE
  private volatile long state;

  @SuppressWarnings("unused") // through TAIL
  private volatile Node tail;

  /**
   * The weight of the items reserved and not yet polled by the I/O thread (see the notes):
   * senders add, the I/O thread subtracts; through BYTES.
   */
  private volatile long queuedBytes;

  /** The stub before the oldest frame. I/O thread only. */
  private Node head;

  /**
   * RUNNING, PARKED or LENT: who owns the socket (see the notes). Only the I/O thread writes
   * PARKED over RUNNING; only a sender's CAS writes LENT, and only the borrower leaves it.
   */
  private volatile int mode = RUNNING;

  /** The socket; written by the I/O thread before `ready` completes. Its owner only (`mode`). */
  private ZMQ.Socket socket;

  /** When (System.nanoTime) a frame was last handed to the socket; written by the owner. */
  private volatile long lastHanded;

  /** The I/O thread's wait for room in a full socket, which beginClose cancels. */
  private final SocketWait wait = new SocketWait();

  private final ReentrantLock lock = new ReentrantLock();
  /**
   * Senders waiting for a slot, oldest first: a doubly linked list through the waiters, so that
   * one that leaves (timed out, interrupted) is unlinked in constant time. Guarded by lock.
   */
  private Waiter firstWaiter;
  private Waiter lastWaiter;
  /** Waiters linked; written under lock, read without it (see the notes). */
  private volatile int waiting;

  /** Frames handed to the socket; written by the socket's owner only. */
  private volatile long sent;
  /** Frames a sender handed to the socket itself (see the notes); written by borrowers only. */
  private volatile long directSends;
  /** Frames discarded at close; written by the I/O thread only. */
  private volatile long discarded;
  private final LongAdder timedOut = new LongAdder();

  /*
   * The fields below, to pokeUntil/nextPoke, belong to the socket's owner: the I/O thread, or a
   * sender while the socket is LENT to it (`mode` orders the hand-overs).
   */

  /** Which receivers are connected; set before the socket connects. */
  private PeerWatch peers;
  /** Frames handed to the socket while no receiver was connected (see the notes). */
  private long held;
  /** The handshake count when `held` was last brought up to date. */
  private long handshakesSeen;
  /** The connected count then. */
  private int connectedSeen;
  /** With batching, the frames of the latest messages handed over, by message; else null. */
  private final int[] recentFrames;
  /** Messages handed over so far (the ring's position). */
  private long messagesHanded;
  /** Until when (nanoTime) to poke JeroMQ's poller while no handshake came; 0: not. */
  private long pokeUntil;
  /** When (nanoTime) the next poke is due. */
  private long nextPoke;
  /** Whether an endpoint is ipc or tcp, whose fresh engines JeroMQ can lose (pokeIfStuck). */
  private boolean pokable;
  /** peers.connects() when last looked at (watchConnects). */
  private long connectsSeen;
  /** The handshake count that the poking waits to see exceeded. */
  private long handshakesAtArm;

  /**
   * Creates the loop; call {@link #start()} next.
   *
   * @param context the ZeroMQ context
   * @param options the connection's options
   * @param endpoints checked endpoints
   */
  public SenderLoop(ZMQ.Context context, ConnectOptions options, List<String> endpoints) {
    this.context = context;
    this.options = options;
    this.endpoints = List.copyOf(endpoints);
    this.description = String.join(", ", endpoints);
    this.capacity = options.sendHighWaterMark();
    this.byteCapacity = options.sendQueueBytes();
    this.maxGroup = options.batches() ? MAX_GROUP : 1;
    // as long as the pipe can be: its high-water mark, with room for JeroMQ's lag in seeing reads
    this.recentFrames = maxGroup > 1 ? new int[2 * socketHighWaterMark() + 16] : null;
    this.codecId = options.codec().id();
    Node stub = new Node(null);
    this.head = stub;
    this.tail = stub;
    this.ioThread = Thread.ofPlatform()
        .daemon()
        .name("mbt-connection-" + IDS.incrementAndGet())
        .unstarted(this);
  }

  /**
   * Starts the I/O thread and waits until the socket is connecting.
   *
   * @throws RemoteMailboxException if the socket cannot be set up
   */
  public void start() {
    IoThreads.start(ioThread, ready, "connect to " + description);
  }

  // ------------------------------------------------------------------ senders

  /**
   * Queues an encoded frame, waiting up to the send timeout for room.
   *
   * @param frame the frame, header included; not modified afterwards by the caller
   * @throws SendTimeoutException if there was no room within the send timeout
   * @throws IllegalStateException if the connection is closed
   * @throws MailboxInterruptedException if interrupted while waiting for room
   */
  public void offer(byte[] frame) {
    enqueue(frame);
  }

  /**
   * Queues a String message without metadata, which the I/O thread encodes as {@code JavaCodec}
   * does (the header with this connection's codec id, the String tag, the UTF-8 bytes): for a
   * connection whose codec is a {@code JavaCodec} only, and a String whose frame cannot exceed
   * the connection's {@code maxMessageBytes}. Waits for room as {@link #offer(byte[])} does.
   *
   * @param message the message
   * @throws SendTimeoutException if there was no room within the send timeout
   * @throws IllegalStateException if the connection is closed
   * @throws MailboxInterruptedException if interrupted while waiting for room
   */
  public void offerString(String message) {
    enqueue(message);
  }

  private void enqueue(Object item) {
    if (DIRECT_SEND && mode == PARKED && trySendDirect(item)) {
      return;
    }
    long weight = weight(item);
    long s = (long) STATE.getAndAdd(this, 1L);
    if ((s & CLOSED) != 0) {
      STATE.getAndAdd(this, -1L);
      throw closed();
    }
    if ((s & COUNT) >= capacity) {
      STATE.getAndAdd(this, -1L);
      awaitSlot(weight); // returns with a slot and the bytes reserved, or throws
    } else if ((long) BYTES.getAndAdd(this, weight) >= byteCapacity) {
      BYTES.getAndAdd(this, -weight);
      STATE.getAndAdd(this, -1L);
      slotsFreed(); // a waiter may have seen our slot or bytes taken
      awaitSlot(weight);
    }
    append(item);
    wakeIfParked();
  }

  /**
   * What an item counts for in {@code queuedBytes}: a frame's length; a String's length in chars
   * plus the JavaCodec prefix (its UTF-8 is at least as long).
   */
  static long weight(Object item) {
    return item instanceof String string
        ? Frames.STRING_PREFIX_BYTES + (long) string.length()
        : ((byte[]) item).length;
  }

  /** Appends an item for which a slot is reserved. */
  private void append(Object item) {
    Node node = new Node(item);
    Node prev = (Node) TAIL.getAndSet(this, node);
    prev.next = node;
  }

  private void wakeIfParked() {
    if (mode == PARKED && MODE.compareAndSet(this, PARKED, RUNNING)) {
      LockSupport.unpark(ioThread);
    }
  }

  /**
   * Sends the item with the socket borrowed from the parked I/O thread (see the notes), or
   * returns false if the connection is not quiet, the socket is not free, or anything is
   * queued; the caller then queues the item.
   */
  private boolean trySendDirect(Object item) {
    long now = System.nanoTime();
    if (now - lastHanded < QUIET_NANOS || !MODE.compareAndSet(this, PARKED, LENT)) {
      return false;
    }
    try {
      // pokeUntil: the I/O thread is still watching for the first handshake; no receiver
      // connected: nothing to win, the frame waits in ZeroMQ (held) either way
      if (pokeUntil != 0 || peers.connected() == 0 || !STATE.compareAndSet(this, 0L, 1L)) {
        return false;
      }
      boolean handed;
      try {
        handed = sendLent(item, now);
      } catch (RuntimeException | Error e) {
        STATE.getAndAdd(this, -1L); // the slot goes back; the send fails in the caller's hands
        slotsFreed();
        throw e;
      }
      if (!handed) {
        // in the slot reserved above, with its bytes (the queue was empty, so there is room);
        // the I/O thread takes it from here
        BYTES.getAndAdd(this, weight(item));
        append(item);
      }
      return true;
    } finally {
      giveBack();
    }
  }

  /** One non-blocking send by a borrower that holds a reserved slot; false if refused. */
  private boolean sendLent(Object item, long now) {
    byte[] message = item instanceof String string
        ? Frames.stringFrame(string.getBytes(StandardCharsets.UTF_8), codecId)
        : (byte[]) item;
    ZMQ.Socket s = socket;
    refreshHeld(s);
    // JeroMQ turns a pending interrupt into EINTR and clears it: keep it away, restore it after
    boolean interrupted = Thread.interrupted();
    boolean ok;
    try {
      ok = s.send(message, ZMQ.DONTWAIT);
    } catch (ZMQException e) {
      // EINTR: an interrupt came during the call and JeroMQ took it; anything else (ETERM)
      // the I/O thread meets on its own send and handles
      interrupted |= e.getErrorCode() == ZError.EINTR;
      ok = false;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (!ok) {
      return false;
    }
    countHanded(1, now);
    directSends++; // single writer: the borrower
    release(1);
    return true;
  }

  /** Gives the socket back to the parked I/O thread and wakes it if work came meanwhile. */
  private void giveBack() {
    MODE.setVolatile(this, PARKED);
    if ((long) STATE.getVolatile(this) != 0) { // reserved slots, or CLOSED
      wakeIfParked();
    }
  }

  /** A sender waiting in {@link #awaitSlot}. */
  private static final class Waiter {
    final Thread thread = Thread.currentThread();
    /** The weight of the waiter's item, which a grant adds to queuedBytes. */
    final long weight;
    /** Set (under lock) when a slot is reserved for this waiter, which is then unlinked. */
    volatile boolean granted;
    /** Neighbours and membership in the waiters' list; guarded by lock. */
    Waiter prev;
    Waiter next;
    boolean linked;

    Waiter(long weight) {
      this.weight = weight;
    }
  }

  /** Appends {@code w} to the waiters. Under lock. */
  private void link(Waiter w) {
    w.prev = lastWaiter;
    if (lastWaiter == null) {
      firstWaiter = w;
    } else {
      lastWaiter.next = w;
    }
    lastWaiter = w;
    w.linked = true;
    waiting = waiting + 1;
  }

  /** Removes {@code w} from the waiters if it is there. Under lock. */
  private void unlink(Waiter w) {
    if (!w.linked) {
      return;
    }
    if (w.prev == null) {
      firstWaiter = w.next;
    } else {
      w.prev.next = w.next;
    }
    if (w.next == null) {
      lastWaiter = w.prev;
    } else {
      w.next.prev = w.prev;
    }
    w.prev = null;
    w.next = null;
    w.linked = false;
    waiting = waiting - 1;
  }

  /**
   * Returns with a slot and {@code weight} bytes reserved for the caller, first come, first
   * served; or throws.
   */
  private void awaitSlot(long weight) {
    Waiter me;
    lock.lock();
    try {
      for (;;) {
        long s = (long) STATE.getVolatile(this);
        if ((s & CLOSED) != 0) {
          throw closed();
        }
        if (firstWaiter != null || (s & COUNT) >= capacity
            || (long) BYTES.getVolatile(this) >= byteCapacity) {
          break;
        }
        if (STATE.compareAndSet(this, s, s + 1)) {
          BYTES.getAndAdd(this, weight);
          return; // nobody before us, and room
        }
      }
      me = new Waiter(weight);
      link(me);
      grantFree(); // after the write of waiting: see the notes
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + options.sendTimeout().toNanos();
    boolean interrupted = false;
    while (!me.granted) {
      long left = deadline - System.nanoTime();
      if (interrupted || left <= 0 || ((long) STATE.getVolatile(this) & CLOSED) != 0) {
        lock.lock();
        try {
          if (!me.granted) {
            unlink(me); // already unlinked if the connection closed
            if (((long) STATE.getVolatile(this) & CLOSED) != 0) {
              throw closed();
            }
            if (interrupted) {
              Thread.currentThread().interrupt();
              throw new MailboxInterruptedException();
            }
            timedOut.increment();
            throw new SendTimeoutException(description, options.sendTimeout());
          }
        } finally {
          lock.unlock();
        }
        break; // granted meanwhile: the slot is ours
      }
      LockSupport.parkNanos(this, left);
      interrupted |= Thread.interrupted();
    }
    if (interrupted) {
      Thread.currentThread().interrupt(); // it sends: the slot was granted before it gave up
    }
    // Granted: the slot was reserved before any close, like a fast-path reservation, so the
    // frame goes out with what close hands to the socket.
  }

  /**
   * Reserves free slots, with their items' bytes, for the oldest waiters, one each, and unparks
   * them. Under lock.
   */
  private void grantFree() {
    Waiter w;
    while ((w = firstWaiter) != null) {
      long s = (long) STATE.getVolatile(this);
      if ((s & CLOSED) != 0 || (s & COUNT) >= capacity
          || (long) BYTES.getVolatile(this) >= byteCapacity) {
        return;
      }
      if (STATE.compareAndSet(this, s, s + 1)) {
        BYTES.getAndAdd(this, w.weight);
        unlink(w);
        w.granted = true;
        LockSupport.unpark(w.thread);
      }
    }
  }

  /** After slots were freed: grants them to waiters, if any (see the notes). */
  private void slotsFreed() {
    if (waiting > 0) {
      lock.lock();
      try {
        grantFree();
      } finally {
        lock.unlock();
      }
    }
  }

  private IllegalStateException closed() {
    return new IllegalStateException(
        "the connection to " + description + " is closed; connect again to send");
  }

  // ------------------------------------------------------------------ any thread

  /**
   * Stops accepting frames, hands what is queued to the socket (waiting up to the linger while
   * the receiver is unreachable), closes the socket with the linger, and returns once the I/O
   * thread has ended. Idempotent.
   */
  public void close() {
    beginClose();
    awaitEnd();
  }

  /**
   * Starts {@link #close()} without waiting for it: stops accepting frames and wakes the I/O
   * thread, which goes on closing by itself. Lets a caller close many connections at once, their
   * lingers running together. Idempotent.
   */
  public void beginClose() {
    markClosed();
    lock.lock();
    try {
      // waiting senders fail now; unlinked here, all at once, not each by itself
      for (Waiter w = firstWaiter; w != null; ) {
        Waiter next = w.next;
        unlink(w);
        LockSupport.unpark(w.thread);
        w = next;
      }
    } finally {
      lock.unlock();
    }
    wait.cancel();
    LockSupport.unpark(ioThread);
  }

  private void markClosed() {
    for (;;) {
      long s = (long) STATE.getVolatile(this);
      if ((s & CLOSED) != 0 || STATE.compareAndSet(this, s, s | CLOSED)) {
        return;
      }
    }
  }

  private void awaitEnd() {
    IoThreads.join(ioThread);
  }

  /**
   * The counters now.
   *
   * @return a snapshot
   */
  public ConnectionStats stats() {
    long s = (long) STATE.getVolatile(this);
    return new ConnectionStats(sent, s & COUNT, timedOut.sum(), discarded,
        (long) BYTES.getVolatile(this));
  }

  /**
   * How many frames senders handed to the socket themselves, the I/O thread parked (see the
   * notes), for tests and diagnostics.
   *
   * @return the count so far
   */
  public long directSends() {
    return directSends;
  }

  /**
   * True once closed.
   *
   * @return whether {@link #close()} was called
   */
  public boolean isClosed() {
    return ((long) STATE.getVolatile(this) & CLOSED) != 0;
  }

  /**
   * The I/O thread, for tests and diagnostics.
   *
   * @return the thread
   */
  public Thread ioThread() {
    return ioThread;
  }

  // ------------------------------------------------------------------ I/O thread

  @Override
  public void run() {
    ZMQ.Socket socket = null;
    try {
      try {
        socket = context.socket(SocketType.PUSH);
        this.socket = socket;
        socket.setLinger((int) Math.min(Integer.MAX_VALUE, options.linger().toMillis()));
        // the high-water mark counts ZeroMQ messages, and a batch is one: scale it so that what
        // ZeroMQ holds in full batches stays about sendHighWaterMark frames
        socket.setSndHWM(socketHighWaterMark());
        // JeroMQ's immediate flag is the inverse of libzmq's ZMQ_IMMEDIATE: its default (true)
        // creates the pipe at connect time, so messages wait for an endpoint not yet reachable.
        socket.setImmediate(true);
        boolean ipc = endpoints.stream().anyMatch(e -> e.startsWith("ipc:"));
        // JeroMQ's poller can lose the registration of a freshly connected engine (an ipc
        // connect completes synchronously and hits it about half the time; tcp rarely), so the
        // handshake never starts. ipc and tcp connections poke the poller (pokeIfStuck); a short
        // handshake interval tears a still-stuck engine down and reconnects; messages queued in
        // the pipe survive. See docs/remote.md.
        socket.setHandshakeIvl(handshakeIvlMillis(ipc));
        socket.setReconnectIVL(ipc ? 10 : 100);
        socket.setReconnectIVLMax(2000);
        if (options.curve() != null) {
          socket.setCurveServerKey(ZMQ.Curve.z85Decode(options.curve().serverPublicKey()));
          socket.setCurvePublicKey(ZMQ.Curve.z85Decode(options.curve().keys().publicKey()));
          socket.setCurveSecretKey(ZMQ.Curve.z85Decode(options.curve().keys().secretKey()));
        }
        peers = new PeerWatch(description, ioThread,
            (int) endpoints.stream().filter(e -> e.startsWith("inproc:")).count());
        // before any connect: no event is missed
        if (!socket.setEventHook(peers, PeerWatch.EVENTS)) {
          throw new RemoteMailboxException("cannot monitor the connection to " + description, null);
        }
        for (String endpoint : endpoints) {
          connect(socket, endpoint);
        }
        // tcp pokes too: a loopback tcp connect can also complete at once and hit the same bug
        // (one fresh JVM in 7 waited out the 2 s watchdog, 2026-12-05)
        pokable = endpoints.stream().anyMatch(e -> e.startsWith("ipc:") || e.startsWith("tcp:"));
        if (pokable) {
          armPokes(0);
        }
        wait.open(socket);
      } catch (RuntimeException e) {
        ready.completeExceptionally(e);
        return;
      }
      ready.complete(null);
      loop(socket);
    } catch (RuntimeException | Error e) {
      Logs.remote().log(Level.ERROR, "connection to " + description + " stopped by an unexpected failure", e);
      markClosed();
      discardQueued(0);
    } finally {
      if (peers != null) {
        peers.stop(); // what the socket reports while it closes is no news
      }
      if (socket != null) {
        wait.closing();
        // the loop ends RUNNING (it reclaims the socket before touching it): never lent now
        socket.close(); // ZeroMQ goes on delivering what it holds for the linger
      }
    }
  }

  /**
   * The handshake interval (ZMQ_HANDSHAKE_IVL) of a connection: the watchdog for JeroMQ 0.7.0's
   * lost registration of a freshly connected engine (docs/remote.md, JeroMQ traps). Connections
   * also poke the poller (pokeIfStuck), which ends nearly every such stall within
   * 10 to 20 ms; 200 ms stays the backstop, long enough that a slow but healthy handshake on a
   * loaded host (or a CURVE one in a cold JVM) is not torn down (50 ms was tried: more tails
   * over 200 ms under load, not fewer). tcp, which rarely hits the bug, keeps 2 s as its backstop.
   *
   * @param ipc whether an endpoint is ipc
   * @return milliseconds
   */
  static int handshakeIvlMillis(boolean ipc) {
    return ipc ? 200 : 2000;
  }

  /** ZMQ_SNDHWM: the high-water mark in ZeroMQ messages (a batch is one; see the notes). */
  private int socketHighWaterMark() {
    return socketHighWaterMark(options);
  }

  /**
   * ZMQ_SNDHWM for a connection with these options: sendHighWaterMark / 256 batches when it
   * batches, else sendHighWaterMark frames but at most ConnectOptions.ZMQ_MAX_UNBATCHED.
   *
   * @param options the connection's options
   * @return messages, 1 or more
   */
  static int socketHighWaterMark(ConnectOptions options) {
    int hwm = options.sendHighWaterMark();
    return Math.max(1, options.batches()
        ? hwm / MAX_GROUP
        : Math.min(hwm, ConnectOptions.ZMQ_MAX_UNBATCHED));
  }

  private static void connect(ZMQ.Socket socket, String endpoint) {
    boolean ok;
    try {
      ok = socket.connect(endpoint);
    } catch (ZMQException | IllegalArgumentException e) {
      throw ZmqErrors.connectFailed(endpoint, ZmqErrors.errno(socket, e), e);
    }
    if (!ok) {
      throw ZmqErrors.connectFailed(endpoint, socket.errno(), null);
    }
  }

  private void loop(ZMQ.Socket socket) {
    byte[] pending = null; // refused by the socket (at its high-water mark)
    int pendingFrames = 0; // frames in pending (a batch holds several)
    byte[] carry = null; // polled, but did not fit in the last batch
    boolean carryString = false; // carry is a String's UTF-8, not a frame
    byte[][] group = new byte[maxGroup][];
    boolean[] strings = new boolean[maxGroup]; // group[i] is a String's UTF-8, not a frame
    long closeDeadline = 0;
    for (;;) {
      watchConnects();
      if (pokeUntil != 0) {
        pokeIfStuck();
      }
      refreshHeld(socket);
      int handed = 0;
      while (handed < BATCH) {
        byte[] message;
        int frames;
        if (pending != null) {
          message = pending;
          frames = pendingFrames;
        } else {
          // opportunistic batching: take what is queued now, never wait for more
          int n = 0;
          int bytes = 0;
          long polled = 0; // the weight of the items polled for this batch
          for (;;) {
            byte[] f;
            boolean string;
            if (carry != null) {
              f = carry;
              string = carryString;
              carry = null;
            } else {
              if (n == maxGroup) {
                break; // full: the next item stays queued (it used to be polled and carried)
              }
              Object item = poll();
              if (item == null) {
                break;
              }
              polled += weight(item);
              string = item instanceof String;
              // a String offered by offerString: its UTF-8 goes straight into the batch
              f = string ? ((String) item).getBytes(StandardCharsets.UTF_8) : (byte[]) item;
            }
            int size = string ? Frames.STRING_PREFIX_BYTES + f.length : f.length;
            if (n > 0 && (n == maxGroup || bytes + 4 + size > MAX_BATCH_BYTES)) {
              carry = f;
              carryString = string;
              break;
            }
            group[n] = f;
            strings[n] = string;
            n++;
            bytes += 4 + size;
          }
          if (polled > 0) {
            BYTES.getAndAdd(this, -polled);
            // out of the queue: a sender that waits for bytes may go now, even if the socket
            // refuses the batch below and nothing is released
            slotsFreed();
          }
          if (n == 0) {
            break;
          }
          frames = n;
          if (n > 1) {
            message = Frames.batch(group, strings, n, bytes, codecId);
          } else if (strings[0]) {
            message = Frames.stringFrame(group[0], codecId);
          } else {
            message = group[0];
          }
          Arrays.fill(group, 0, n, null);
        }
        if (!socket.send(message, ZMQ.DONTWAIT)) {
          pending = message;
          pendingFrames = frames;
          break;
        }
        pending = null;
        handed += frames;
        countHanded(frames, 0);
      }
      if (handed > 0) {
        lastHanded = System.nanoTime();
        release(handed);
      }
      long s = (long) STATE.getVolatile(this);
      boolean closing = (s & CLOSED) != 0;
      if (closing && closeDeadline == 0) {
        closeDeadline = System.nanoTime() + Math.max(1, options.linger().toNanos());
      }
      if (pending != null) {
        if (closing && System.nanoTime() - closeDeadline >= 0) {
          discardQueued(pendingFrames + (carry != null ? 1 : 0));
          refreshHeld(socket);
          // held: no handshake since they were handed over; else what a receiver that is
          // connected did not take: ZeroMQ drops all of it now
          long lost = Math.max(held, backlogFrames(socket));
          if (lost > 0) {
            discardHeld(lost);
          }
          socket.setLinger(0); // the linger is used up: ZeroMQ drops what it still holds
          return;
        }
        // wait in JeroMQ for room (see the notes), 50 ms at most; beginClose cancels the wait
        // once, and a closing loop waits in 50 ms steps up to the linger
        wait.await(socket, zmq.ZMQ.ZMQ_POLLOUT, 50, !closing);
        continue;
      }
      if (handed >= BATCH || carry != null) {
        continue;
      }
      if (closing) {
        if ((s & COUNT) == 0) {
          finishClose(socket, closeDeadline); // everything reserved was handed over
          return;
        }
        Thread.onSpinWait(); // a sender reserved a slot and is about to append
        continue;
      }
      long parkNanos = pokeUntil != 0 ? Math.max(1, nextPoke - System.nanoTime()) : 1_000_000_000L;
      MODE.setVolatile(this, PARKED); // from here a sender may borrow the socket
      if (head.next != null || ((long) STATE.getVolatile(this) & CLOSED) != 0) {
        reclaim();
        continue;
      }
      // idle: park rather than select (see the notes); the socket's commands wait for the next
      // send, or for the getEvents below, at most a second
      LockSupport.parkNanos(this, parkNanos);
      reclaim();
      socket.getEvents(); // processes the socket's pending commands
    }
  }

  /** Counts a message of {@code frames} frames handed to the socket. Owner only. */
  private void countHanded(int frames, long now) {
    if (recentFrames != null) {
      recentFrames[(int) (messagesHanded++ % recentFrames.length)] = frames;
    }
    if (peers.connected() == 0) {
      held += frames; // ZeroMQ keeps it for a receiver to come (back)
    }
    if (now != 0) {
      lastHanded = now;
    }
  }

  /** The I/O thread takes the socket back after parking (see the notes). */
  private void reclaim() {
    for (int spins = 0; ; spins++) {
      int m = mode;
      if (m == RUNNING || (m == PARKED && MODE.compareAndSet(this, PARKED, RUNNING))) {
        return; // RUNNING: a sender handed it over with an unpark
      }
      // LENT: a borrower is in one non-blocking send
      if (spins < 256) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /**
   * Ends a close once everything reserved was handed to the socket (see the notes): waits, up
   * to {@code deadline}, until ZeroMQ's pipe has given everything to a connected receiver's
   * engine, or with none connected for one to come; then ZeroMQ gets what is left of the
   * linger for what the engine still has. What the pipe still holds at the deadline (held for a
   * receiver that never came, or not taken by a slow one) is moved from sent to discarded, and
   * the socket closes with linger 0, so ZeroMQ drops exactly that. With several pipes and
   * batching the frames in the pipe are not known: the messages (at least one frame each) are
   * counted, a lower bound.
   */
  private void finishClose(ZMQ.Socket socket, long deadline) {
    for (;;) {
      refreshHeld(socket);
      if (held > 0 && !awaitHandshake(deadline)) {
        discardHeld(Math.max(held, backlogFrames(socket)));
        socket.setLinger(0);
        return;
      }
      long inPipe = PipeBacklog.messages(socket); // -1: unknown
      long left = deadline - System.nanoTime();
      if (inPipe <= 0) {
        socket.setLinger((int) Math.min(Integer.MAX_VALUE,
            TimeUnit.NANOSECONDS.toMillis(Math.max(0, left))));
        return;
      }
      if (left <= 0) {
        long frames = backlogFrames(socket);
        discardHeld(frames > 0 ? frames : inPipe);
        socket.setLinger(0);
        return;
      }
      LockSupport.parkNanos(this, Math.min(left, DRAIN_POLL_NANOS));
      socket.getEvents(); // processes the socket's commands: a receiver gone, a pipe ended
    }
  }

  /**
   * Gives each completed connect the poke window of the first (pokeIfStuck): the lost
   * registration can strike a reconnect too (a receiver restarted, or a stuck handshake torn
   * down by the handshake interval), and a window only after connect() left those to the
   * handshake interval, 2 s on tcp. A connect whose engine has handshaken already arms nothing.
   */
  private void watchConnects() {
    long c = peers.connects();
    if (c == connectsSeen) {
      return;
    }
    connectsSeen = c;
    long before = peers.handshakesAtConnect(); // read after connects(): this connect's or later
    if (!pokable || peers.handshakes() > before) {
      return;
    }
    armPokes(before);
  }

  /** Pokes (pokeIfStuck) for POKE_WINDOW_NANOS from now, or until handshakes() exceeds h. */
  private void armPokes(long h) {
    handshakesAtArm = h;
    long now = System.nanoTime();
    pokeUntil = now + POKE_WINDOW_NANOS;
    nextPoke = now + POKE_EVERY_NANOS;
  }

  /**
   * Works around JeroMQ 0.7.0's lost registration of a freshly connected ipc or tcp engine
   * (docs/remote.md, JeroMQ traps): the engine's selection key was cancelled by the retired
   * connecter's handle, and the poller registers it again on its next pass over its handles,
   * which only a change to some handle of that I/O thread triggers. Until a handshake is seen
   * (or POKE_WINDOW_NANOS has passed), every POKE_EVERY_NANOS this binds a throwaway socket on
   * loopback tcp and closes it at once: its listener is added to and removed from the same
   * I/O thread's poller (the context has one), and each triggers such a pass. A healthy engine
   * is not disturbed by the pass. After connect() it waits for any handshake; after a later
   * connect (watchConnects), for one more than there had been.
   */
  private void pokeIfStuck() {
    if (peers.handshakes() > handshakesAtArm || System.nanoTime() - pokeUntil > 0) {
      pokeUntil = 0;
      return;
    }
    if (System.nanoTime() - nextPoke < 0) {
      return;
    }
    nextPoke = System.nanoTime() + POKE_EVERY_NANOS;
    try {
      ZMQ.Socket poke = context.socket(SocketType.PULL);
      try {
        poke.setLinger(0);
        poke.bind("tcp://127.0.0.1:*");
      } finally {
        poke.close();
      }
    } catch (RuntimeException e) {
      pokeUntil = 0; // no loopback tcp here: the handshake interval remains the watchdog
      pokable = false;
      Logs.remote().log(Level.DEBUG, "cannot poke JeroMQ's poller for " + description, e);
    }
  }

  /**
   * Brings {@code held} up to date: a handshake since the last look means the frames held until
   * then went to that receiver; the last receiver gone since the last look leaves what ZeroMQ's
   * pipe holds (the backlog, when known) held too.
   */
  private void refreshHeld(ZMQ.Socket socket) {
    long h = peers.handshakes();
    if (h != handshakesSeen) {
      handshakesSeen = h;
      held = 0;
    }
    int c = peers.connected();
    if (c == 0 && connectedSeen > 0) {
      // the pipe holds the backlog plus what was counted held since the receiver went
      held = Math.max(held, backlogFrames(socket));
    }
    connectedSeen = c;
  }

  /**
   * The frames in ZeroMQ's pipes (see the notes), or -1 if unknown: PipeBacklog cannot tell,
   * or with batching there are several pipes, or more messages than {@code recentFrames} keeps.
   */
  private long backlogFrames(ZMQ.Socket socket) {
    long messages = PipeBacklog.messages(socket);
    if (messages <= 0 || recentFrames == null) {
      return messages;
    }
    if (PipeBacklog.pipes(socket) != 1 || messages > Math.min(messagesHanded, recentFrames.length)) {
      return -1;
    }
    long frames = 0;
    for (long i = messagesHanded - messages; i < messagesHanded; i++) {
      frames += recentFrames[(int) (i % recentFrames.length)];
    }
    return frames;
  }

  /**
   * Waits until a receiver completes a handshake or {@code deadlineNanos} (System.nanoTime)
   * passes; true if one did since {@code held} was last brought up to date. The watch unparks
   * this thread at each handshake.
   */
  private boolean awaitHandshake(long deadlineNanos) {
    for (;;) {
      if (peers.handshakes() != handshakesSeen) {
        held = 0; // they go to that receiver
        handshakesSeen = peers.handshakes();
        return true;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      watchConnects();
      if (pokeUntil != 0) {
        // still within the first handshake's watch: a producer that sends and closes at once
        // (the seed's Producer) waits here for it, so the poking goes on here too; without it a
        // stuck ipc engine waited out the 200 ms handshake interval (send -> delivery 260 ms)
        pokeIfStuck();
        if (pokeUntil != 0) {
          left = Math.min(left, Math.max(1, nextPoke - System.nanoTime()));
        }
      }
      LockSupport.parkNanos(this, left);
    }
  }

  /**
   * Moves {@code n} frames from sent to discarded: those ZeroMQ holds when the linger has ended
   * (held: no receiver completed a handshake since they were handed to the socket; or, the
   * socket still full, what its pipe holds), which it drops when the socket closes with linger
   * 0.
   */
  private void discardHeld(long n) {
    held = 0;
    sent -= n; // single writer; they did not leave through ZeroMQ after all
    discarded += n;
    String why = peers.handshakes() == 0
        ? "no receiver ever completed a handshake within the linger (" + options.linger()
            + "); is anything listening there?"
        : peers.connected() == 0
        ? "no receiver was connected when they were sent, or it disconnected before taking them,"
            + " and none came back within the linger (" + options.linger() + "); messages in"
            + " flight when it went are not known here (at most once)"
        : "the receiver did not take them within the linger (" + options.linger() + ")";
    Logs.remote().log(Level.WARNING, "connection to " + description + " discarded " + n
        + " message(s) held by ZeroMQ at close: " + why);
  }

  /** The oldest queued item (a frame, or a String to encode), or null. */
  private Object poll() {
    Node next = head.next;
    if (next == null) {
      return null;
    }
    Object item = next.item;
    next.item = null;
    head = next;
    return item;
  }

  private void release(int handed) {
    sent += handed; // single writer: the socket's owner
    STATE.getAndAdd(this, (long) -handed);
    slotsFreed();
  }

  /** Discards what is queued, plus {@code taken} frames already polled but not sent. */
  private void discardQueued(int taken) {
    long n = taken;
    // wait briefly for senders that reserved a slot to append, so the count comes out exact
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    for (;;) {
      Object item;
      while ((item = poll()) != null) {
        BYTES.getAndAdd(this, -weight(item));
        n++;
      }
      long s = (long) STATE.getVolatile(this);
      if ((s & COUNT) <= n || System.nanoTime() - deadline > 0) {
        break;
      }
      Thread.onSpinWait();
    }
    if (n > 0) {
      discarded += n;
      STATE.getAndAdd(this, -n);
      Logs.remote().log(Level.WARNING, "connection to " + description + " discarded " + n
          + " message(s) at close: the receiver stayed unreachable for the linger ("
          + options.linger() + ")");
    }
  }
}
