package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.remote.SendTimeoutException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.Selector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The sending side of one connection: a bounded multi-producer queue of encoded frames, and a
 * platform I/O thread that owns a PUSH socket connected to the endpoints and moves frames from
 * the queue into it.
 *
 * <p><b>Thread safety:</b> {@link #offer} may be called by any number of threads at once,
 * platform or virtual; {@link #close} from any thread. Only the I/O thread touches the socket:
 * JeroMQ sockets are neither thread-safe nor safe to use from a thread that may be interrupted.
 */
public final class SenderLoop implements Runnable {
  /*
   * Implementation notes.
   *
   * `state` packs a CLOSED bit and the number of reserved slots (frames a sender has claimed
   * room for, appended or about to be, and not yet handed to the socket). A sender reserves with
   * one getAndIncrement; if the count was already at capacity it gives the slot back and waits
   * on `notFull` (slow path, under `lock`), if CLOSED was set it gives it back and fails. The I/O
   * thread subtracts what it handed to the socket, once per batch, then signals `notFull` if a
   * sender waits (`waiting` is written under lock and read by the I/O thread after its
   * subtraction: sender "waiting++ then re-check count" against I/O "subtract then read waiting"
   * is a Dekker pair, so no wake-up is lost).
   *
   * Frames travel in a Vyukov MPSC linked list like the core mailbox: getAndSet `tail`, then a
   * volatile write of prev.next. Per sender, order is kept.
   *
   * The I/O thread waits in Selector.select on the socket's signalling channel. Before waiting
   * it sets `idle` and re-checks the queue; a sender that appends and finds `idle` CASes it to
   * false and calls Selector.wakeup() (thread-safe, and harmless to an interrupted caller).
   *
   * Closing: set CLOSED, wake the I/O thread. It hands everything reserved to the socket, then
   * closes it with the linger, so ZeroMQ keeps delivering in the background for that long. If
   * the socket stays full (receiver down) past the linger, what is left is discarded and
   * counted.
   */
  private static final System.Logger LOG = System.getLogger("dev.mailboxthreads.remote");
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long CLOSED = 1L << 62;
  private static final long COUNT = CLOSED - 1;
  private static final int BATCH = 1024;

  private static final VarHandle STATE;
  private static final VarHandle TAIL;
  private static final VarHandle IDLE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(SenderLoop.class, "state", long.class);
      TAIL = l.findVarHandle(SenderLoop.class, "tail", Node.class);
      IDLE = l.findVarHandle(SenderLoop.class, "idle", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  static final class Node {
    /** Written by the producer before publication; cleared by the I/O thread. */
    byte[] frame;
    volatile Node next;

    Node(byte[] frame) {
      this.frame = frame;
    }
  }

  private final ZMQ.Context context;
  private final ConnectOptions options;
  private final List<String> endpoints;
  private final String description;
  private final int capacity;
  private final Thread ioThread;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();

  /** CLOSED bit | reserved slots. */
  @SuppressWarnings("unused") // through STATE
  private volatile long state;

  @SuppressWarnings("unused") // through TAIL
  private volatile Node tail;

  /** The stub before the oldest frame. I/O thread only. */
  private Node head;

  /** True while the I/O thread is (about to be) waiting in select. */
  @SuppressWarnings("unused") // through IDLE
  private volatile boolean idle;

  /** Created by the I/O thread before `ready` completes. */
  private volatile Selector selector;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled by the I/O thread when it frees slots and someone waits. */
  private final Condition notFull = lock.newCondition();
  /** Senders waiting for a slot; written under lock. */
  private volatile int waiting;

  /** Frames handed to the socket; written by the I/O thread only. */
  private volatile long sent;
  /** Frames discarded at close; written by the I/O thread only. */
  private volatile long discarded;
  private final LongAdder timedOut = new LongAdder();

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
    long s = (long) STATE.getAndAdd(this, 1L);
    if ((s & CLOSED) != 0) {
      STATE.getAndAdd(this, -1L);
      throw closed();
    }
    if ((s & COUNT) >= capacity) {
      STATE.getAndAdd(this, -1L);
      awaitSlot(); // returns with a slot reserved, or throws
    }
    Node node = new Node(frame);
    Node prev = (Node) TAIL.getAndSet(this, node);
    prev.next = node;
    if (idle && IDLE.compareAndSet(this, true, false)) {
      Selector sel = selector;
      if (sel != null) {
        sel.wakeup();
      }
    }
  }

  private void awaitSlot() {
    long nanos = options.sendTimeout().toNanos();
    lock.lock();
    try {
      waiting++;
      for (;;) {
        long s = (long) STATE.getVolatile(this);
        if ((s & CLOSED) != 0) {
          throw closed();
        }
        if ((s & COUNT) < capacity) {
          if (STATE.compareAndSet(this, s, s + 1)) {
            return;
          }
          continue;
        }
        if (nanos <= 0) {
          timedOut.increment();
          throw new SendTimeoutException(description, options.sendTimeout());
        }
        try {
          nanos = notFull.awaitNanos(nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new MailboxInterruptedException();
        }
      }
    } finally {
      waiting--;
      lock.unlock();
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
    markClosed();
    lock.lock();
    try {
      notFull.signalAll(); // waiting senders fail now
    } finally {
      lock.unlock();
    }
    Selector sel = selector;
    if (sel != null) {
      sel.wakeup();
    }
    awaitEnd();
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
    return new ConnectionStats(sent, s & COUNT, timedOut.sum(), discarded);
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
        socket.setLinger((int) Math.min(Integer.MAX_VALUE, options.linger().toMillis()));
        socket.setSndHWM(options.sendHighWaterMark());
        // JeroMQ's immediate flag is the inverse of libzmq's ZMQ_IMMEDIATE: its default (true)
        // creates the pipe at connect time, so messages wait for an endpoint not yet reachable.
        socket.setImmediate(true);
        boolean ipc = endpoints.stream().anyMatch(e -> e.startsWith("ipc:"));
        // JeroMQ's poller can lose the registration of a freshly connected engine (an ipc
        // connect completes synchronously and hits it about half the time; tcp rarely), so the
        // handshake never starts. A short handshake interval tears such an engine down and
        // reconnects; messages queued in the pipe survive. See docs/remote.md.
        socket.setHandshakeIvl(ipc ? 200 : 2000);
        socket.setReconnectIVL(ipc ? 10 : 100);
        socket.setReconnectIVLMax(2000);
        if (options.curve() != null) {
          socket.setCurveServerKey(ZMQ.Curve.z85Decode(options.curve().serverPublicKey()));
          socket.setCurvePublicKey(ZMQ.Curve.z85Decode(options.curve().keys().publicKey()));
          socket.setCurveSecretKey(ZMQ.Curve.z85Decode(options.curve().keys().secretKey()));
        }
        for (String endpoint : endpoints) {
          connect(socket, endpoint);
        }
        selector = IoThreads.selectorFor(socket);
      } catch (RuntimeException | IOException e) {
        ready.completeExceptionally(e instanceof IOException
            ? new RemoteMailboxException("cannot set up the connection to " + description, e)
            : e);
        return;
      }
      ready.complete(null);
      loop(socket);
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "connection to " + description + " stopped by an unexpected failure", e);
      markClosed();
      discardQueued(0);
    } finally {
      if (socket != null) {
        socket.close(); // ZeroMQ goes on delivering what it holds for the linger
      }
      IoThreads.closeQuietly(selector);
    }
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
    Selector sel = selector;
    byte[] pending = null; // refused by the socket (at its high-water mark)
    long closeDeadline = 0;
    for (;;) {
      int handed = 0;
      while (handed < BATCH) {
        byte[] frame = pending != null ? pending : poll();
        if (frame == null) {
          break;
        }
        if (!socket.send(frame, ZMQ.DONTWAIT)) {
          pending = frame;
          break;
        }
        pending = null;
        handed++;
      }
      if (handed > 0) {
        release(handed);
      }
      long s = (long) STATE.getVolatile(this);
      boolean closing = (s & CLOSED) != 0;
      if (closing && closeDeadline == 0) {
        closeDeadline = System.nanoTime() + Math.max(1, options.linger().toNanos());
      }
      if (pending != null) {
        if (closing && System.nanoTime() - closeDeadline >= 0) {
          discardQueued(1);
          socket.setLinger(0); // the linger is used up: ZeroMQ drops what it still holds
          return;
        }
        if ((socket.getEvents() & ZMQ.Poller.POLLOUT) == 0) {
          select(sel, 50); // wait for room; close() wakes us too
        }
        continue;
      }
      if (handed == BATCH) {
        continue;
      }
      if (closing) {
        if ((s & COUNT) == 0) {
          // everything reserved was handed over; ZeroMQ gets what is left of the linger
          long left = Math.max(0, closeDeadline - System.nanoTime());
          socket.setLinger((int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left)));
          return;
        }
        Thread.onSpinWait(); // a sender reserved a slot and is about to append
        continue;
      }
      IDLE.setVolatile(this, true);
      if (head.next != null || ((long) STATE.getVolatile(this) & CLOSED) != 0) {
        IDLE.setVolatile(this, false);
        continue;
      }
      select(sel, 1000);
      IDLE.setVolatile(this, false);
    }
  }

  private static void select(Selector sel, long millis) {
    try {
      sel.select(millis);
    } catch (IOException e) {
      throw new RemoteMailboxException("the connection's selector failed", e);
    }
    sel.selectedKeys().clear();
  }

  /** The oldest queued frame, or null. */
  private byte[] poll() {
    Node next = head.next;
    if (next == null) {
      return null;
    }
    byte[] frame = next.frame;
    next.frame = null;
    head = next;
    return frame;
  }

  private void release(int handed) {
    sent += handed; // single writer
    STATE.getAndAdd(this, (long) -handed);
    if (waiting > 0) {
      lock.lock();
      try {
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Discards what is queued, plus {@code taken} frames already polled but not sent. */
  private void discardQueued(int taken) {
    long n = taken;
    // wait briefly for senders that reserved a slot to append, so the count comes out exact
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    for (;;) {
      while (poll() != null) {
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
      LOG.log(Level.WARNING, "connection to " + description + " discarded " + n
          + " message(s) at close: the receiver stayed unreachable for the linger ("
          + options.linger() + ")");
    }
  }
}
