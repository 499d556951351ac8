package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.spi.OwnerWait;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * Direct receive: a publication lends its socket to the published thread while that thread
 * waits for its mailbox, so that a frame that arrives then is read, decoded and delivered by the
 * thread that wants it, without waking the publication's loop first and the thread after. A
 * round trip through two published threads wakes two threads fewer.
 *
 * <p>Only for a platform thread (a virtual thread waiting inside JeroMQ would hold its carrier)
 * whose mailbox is unbounded (the loop waits for room in a full mailbox; the owner cannot wait
 * for itself). A batch frame over {@link #MAX_BATCH_BYTES} (a stream, which the loop decodes
 * while the owner consumes), a frame of several parts, or a message whose decoding overflows
 * the owner's stack (a graph deep enough to need the loop's 4 MB one), is handed back to the
 * loop with the socket, and the loop handles it first. {@code
 * -Ddev.mailboxthreads.remote.ownerReceive=false} turns it off. A publication that becomes the
 * way back for replies to other threads' calls stops lending ({@link #share}): the reply of
 * another thread must not wait while this one works.
 *
 * <p><b>Who holds the socket</b> ({@code holder}): LOOP (the loop reads it, as without direct
 * receive), LENT (the owner may take it; nobody reads it), OWNER (the owner is reading it, or
 * waiting in it), CLOSED (the loop is closing; nobody else touches it again). The owner moves
 * LENT to OWNER by CAS and back when its wait ends (or to LOOP, to hand a frame or a failure to
 * the loop); the loop moves LOOP to LENT when the owner asked ({@code wanted}) and LENT back to
 * LOOP or CLOSED by CAS. Each move is a volatile write or CAS, so whoever holds the socket next
 * sees everything the last holder did to it; frames are read by one thread at a time in socket
 * order, so they reach the mailbox in order.
 *
 * <p><b>Taking it back.</b> A socket lent to an owner that stopped waiting (it works, or it has
 * ended) must not hold frames back for long, so the loop looks at it: first after {@link
 * #SHORT_PERIOD_NANOS}, then twice as long after each look that found the owner coming and
 * going, up to {@link #ACTIVE_PERIOD_NANOS} (each look is a wake-up, which costs a round trip in
 * progress); if the owner has not entered a wait since the last look ({@code epoch}) and is not
 * in one, the loop takes the socket back and reads it as before: at most twice that period
 * after the owner stopped. While the owner sits in one long wait the loop looks less and less
 * often (up to {@link #LONG_PERIOD_NANOS}); the owner, leaving a wait while the loop sleeps that
 * long ({@code loopSleepsLong}), unparks it. Dekker on (holder, loopSleepsLong): the loop sets
 * loopSleepsLong and then re-reads holder; the owner writes holder and then reads
 * loopSleepsLong.
 *
 * <p><b>Waking the owner.</b> A sender that delivered to the waiting owner calls {@link #wake}:
 * it sets the owner's cancel flag, then, if the owner holds the socket, sends JeroMQ's cancel
 * command to the socket (which ends its wait there); otherwise it unparks it. The owner moves to
 * OWNER before it looks at the flag. Dekker on (holder, flag).
 *
 * <p><b>Interrupts.</b> JeroMQ turns an interrupt of the thread inside it into EINTR and clears
 * it (its signalling channels are non-blocking, so nothing is closed); the owner sets its
 * interrupt status again, and its receive throws as usual.
 */
final class OwnerReceive implements OwnerWait {
  /** {@code -Ddev.mailboxthreads.remote.ownerReceive}, default true. */
  static final boolean ENABLED =
      Boolean.parseBoolean(System.getProperty("dev.mailboxthreads.remote.ownerReceive", "true"));

  /**
   * The largest batch frame the owner unpacks itself; larger ones (a stream, which the loop
   * decodes while the owner consumes) go to the loop (see above).
   */
  static final int MAX_BATCH_BYTES = 512;

  /** The loop's first look at a socket it lent. */
  static final long SHORT_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /**
   * How seldom, at most, the loop looks at a lent socket while its owner comes and goes; {@code
   * -Ddev.mailboxthreads.remote.ownerReceiveLookMillis}, default 100. Each look is a wake-up that
   * can delay a round trip in progress by a scheduler tick on a busy host: every 5 ms, the
   * round trip's p99 was 1.2 to 2.1 ms; every 100 ms, 0.3 to 0.4 ms (raw JeroMQ's 0.2 to 0.3).
   */
  static final long ACTIVE_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(
      Math.max(1, Long.getLong("dev.mailboxthreads.remote.ownerReceiveLookMillis", 100)));

  /** How seldom, at most, while its owner sits in one wait (it wakes the loop when it ends). */
  static final long LONG_PERIOD_NANOS = Math.max(ACTIVE_PERIOD_NANOS, TimeUnit.SECONDS.toNanos(1));

  /** The most frames the owner takes per wait (more wait in the socket for the next one). */
  static final int OWNER_BATCH = 64;

  static final int LOOP = 0;
  static final int LENT = 1;
  static final int OWNER = 2;
  static final int CLOSED = 3;

  private final PublicationLoop loop;
  private final Thread target;
  private final Thread loopThread;
  /** The owner's wait in the socket; wake() cancels it. */
  private final SocketWait ownerWait = new SocketWait(false);
  /** LOOP, LENT, OWNER or CLOSED; see above. */
  private final AtomicInteger holder = new AtomicInteger(LOOP);
  /** Set by the owner when it waits while the loop holds the socket; cleared by the loop. */
  private volatile boolean wanted;
  /** How many waits the owner has entered holding the socket; written by the owner only. */
  private volatile int epoch;
  /** The loop sleeps longer than ACTIVE_PERIOD_NANOS while the socket is lent. */
  private volatile boolean loopSleepsLong;
  /** Set once when the owner met a failure it cannot explain: lend no more. */
  private volatile boolean broken;
  /**
   * Set once when the publication became the way back for replies to other threads' calls: a
   * reply must not wait in the socket while this owner works, so lend no more.
   */
  private volatile boolean shared;
  /** The socket, from {@link #open}; read by the owner only while it holds the socket. */
  private ZMQ.Socket socket;
  /**
   * A frame the owner took but left to the loop, or null, and whether it was counted as received
   * already: written by the owner before it moves the holder to LOOP, read and cleared by the
   * loop after.
   */
  private byte[] deferred;
  private boolean deferredCounted;

  /** How many times the loop took the socket back from an owner that stopped waiting. */
  private volatile long takenBack;

  // the loop's own
  private long period = SHORT_PERIOD_NANOS;
  private int lastEpoch;

  OwnerReceive(PublicationLoop loop, Thread target, Thread loopThread) {
    this.loop = loop;
    this.target = target;
    this.loopThread = loopThread;
  }

  /**
   * Whether a publication of {@code target} lends its socket at all.
   *
   * @param target the published thread
   * @return true for a platform thread, unless turned off
   */
  static boolean eligible(Thread target) {
    return ENABLED && !target.isVirtual();
  }

  /** The loop, once the socket is bound: the owner may ask for it from now on. */
  void open(ZMQ.Socket socket) {
    this.socket = socket;
    ownerWait.open(socket);
  }

  // ------------------------------------------------------------------ the owner

  @Override
  public void await(long timeoutNanos) {
    boolean mayTake = Thread.currentThread() == target && !broken && !shared && !loop.isClosing()
        && MailboxThreads.mailboxCapacity(target) < 0;
    if (mayTake && holder.get() == LENT && holder.compareAndSet(LENT, OWNER)) {
      epoch++;
      int next = LENT;
      try {
        next = readAsOwner(timeoutNanos);
      } finally {
        if (shared) {
          next = LOOP; // see share()
        }
        holder.set(next);
        if (next == LOOP || loopSleepsLong || loop.isClosing()) {
          LockSupport.unpark(loopThread);
        }
      }
      return;
    }
    if (mayTake && holder.get() == LOOP && !wanted) {
      wanted = true;
      loop.nudge();
    }
    // Parks until a wake (its flag), a lend, or the time. Not one bare park: the nudge above
    // takes locks, and a lock that parks may take the permit of a wake that came meanwhile
    // (the mailbox re-checked before this call, not after the nudge); the flag stays.
    long deadline = timeoutNanos == Long.MAX_VALUE ? 0 : System.nanoTime() + timeoutNanos;
    while (!ownerWait.takeCancel() && !(mayTake && holder.get() == LENT)
        && !Thread.currentThread().isInterrupted()) {
      if (timeoutNanos == Long.MAX_VALUE) {
        LockSupport.park(this);
      } else {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        LockSupport.parkNanos(this, left);
      }
    }
  }

  @Override
  public void wake() {
    if (Thread.currentThread() == target) {
      return; // the owner delivered to itself while it holds the socket: its wait returns next
    }
    ownerWait.flag(); // before reading holder: see the notes
    if (holder.get() == OWNER) {
      ownerWait.cancel();
    } else {
      LockSupport.unpark(target);
    }
  }

  /** Holding the socket: reads what is there, or waits for it; returns the next holder. */
  private int readAsOwner(long timeoutNanos) {
    if (ownerWait.takeCancel()) {
      return LENT; // woken before it could wait: look at the mailbox first
    }
    var scope = DecodingScope.swap(loop.resolver());
    try {
      int took = loop.drainAsOwner(socket, this);
      if (took != 0) {
        return took < 0 ? LOOP : LENT;
      }
      int millis = timeoutNanos == Long.MAX_VALUE ? -1
          : (int) Math.min(Integer.MAX_VALUE, Math.max(1, (timeoutNanos + 999_999) / 1_000_000));
      boolean ready = ownerWait.await(socket, zmq.ZMQ.ZMQ_POLLIN, millis, true);
      ownerWait.takeCancel(); // whatever ended the wait, the owner looks at its mailbox next
      if (ready) {
        took = loop.drainAsOwner(socket, this);
        return took < 0 ? LOOP : LENT;
      }
      int errno = socket.base().errno();
      if (errno == ZError.EINTR) {
        Thread.currentThread().interrupt();
      } else if (errno == ZError.ETERM) {
        return LOOP; // the context ends: the loop sees it too and closes
      }
      return LENT;
    } catch (ZMQException e) {
      if (e.getErrorCode() == ZError.EINTR) {
        Thread.currentThread().interrupt();
        return LENT;
      }
      if (e.getErrorCode() != ZError.ETERM) {
        giveUp(e);
      }
      return LOOP;
    } catch (RuntimeException e) {
      giveUp(e);
      return LOOP;
    } finally {
      DecodingScope.swap(scope);
    }
  }

  private void giveUp(RuntimeException e) {
    broken = true;
    Logs.remote().log(Level.WARNING, "direct receive on " + target + " stopped; its publication's"
        + " loop reads the socket from now on", e);
  }

  /**
   * Any thread: the publication is now the way back for replies to calls of other threads,
   * which must not wait in the socket while the owner works; the loop takes the socket back at
   * once (or as soon as the owner's wait in it ends) and lends it no more.
   */
  void share() {
    if (!shared) {
      shared = true;
      LockSupport.unpark(loopThread);
    }
  }

  /**
   * The owner: leaves {@code frame} to the loop, which handles it before anything else.
   *
   * @param counted whether it was counted as received already
   */
  void defer(byte[] frame, boolean counted) {
    deferred = frame;
    deferredCounted = counted;
  }

  // ------------------------------------------------------------------ the loop

  /**
   * The loop, before {@link #takeDeferred}: whether the frame left to it was counted already.
   *
   * @return true if so
   */
  boolean deferredCounted() {
    return deferredCounted;
  }

  /**
   * The loop: the frame the owner left to it, if any, cleared.
   *
   * @return the frame, or null
   */
  byte[] takeDeferred() {
    byte[] f = deferred;
    deferred = null;
    return f;
  }

  /**
   * How many waits the owner entered holding the socket; any thread.
   *
   * @return the count so far (wraps after 2^31)
   */
  long epoch() {
    return epoch & 0xFFFF_FFFFL;
  }

  /**
   * How many times the loop took the socket back from an owner that had stopped waiting; any
   * thread (written by the loop only).
   *
   * @return the count so far
   */
  long takenBack() {
    return takenBack;
  }

  /**
   * Who holds the socket; any thread.
   *
   * @return LOOP, LENT, OWNER or CLOSED
   */
  int holder() {
    return holder.get();
  }

  /**
   * The loop, holding the socket, between reads: lends it if the owner asked and may have it.
   *
   * @return true if lent (the loop must not touch the socket until it holds it again)
   */
  boolean lendIfWanted() {
    if (!wanted) {
      return false;
    }
    wanted = false;
    if (broken || shared || MailboxThreads.mailboxCapacity(target) >= 0 || loop.isClosing()
        || !target.isAlive()) {
      return false;
    }
    lastEpoch = epoch;
    period = SHORT_PERIOD_NANOS;
    holder.set(LENT);
    LockSupport.unpark(target);
    return true;
  }

  /**
   * The loop, while the socket is lent: sleeps a period, then takes the socket back if the
   * owner has not used it for a whole period.
   *
   * @return true if the loop holds the socket again
   */
  boolean sleepWhileLent() {
    if (period > ACTIVE_PERIOD_NANOS) {
      loopSleepsLong = true;
      if (holder.get() != OWNER) {
        period = ACTIVE_PERIOD_NANOS; // the owner left its wait meanwhile: see the notes
        loopSleepsLong = false;
      }
    }
    boolean sleptLong = period > ACTIVE_PERIOD_NANOS;
    LockSupport.parkNanos(this, period);
    loopSleepsLong = false;
    int e = epoch;
    int h = holder.get();
    if (h == LOOP) {
      return true; // the owner handed it back
    }
    if (h == LENT && shared && holder.compareAndSet(LENT, LOOP)) {
      return true; // see share()
    }
    if (!sleptLong && h == LENT && e == lastEpoch && holder.compareAndSet(LENT, LOOP)) {
      takenBack++;
      return true; // not used for a whole period: the owner works, or has ended
    }
    // the owner came and went, or sits in one wait: look less often
    period = Math.min(period * 2,
        h == OWNER && e == lastEpoch ? LONG_PERIOD_NANOS : ACTIVE_PERIOD_NANOS);
    lastEpoch = e;
    return false;
  }

  /**
   * The loop, closing: takes the socket back for good, waiting for the owner to leave it, and
   * uninstalls; the owner parks in its waits from now on.
   */
  void closeForGood() {
    for (;;) {
      int h = holder.get();
      if (h == CLOSED) {
        break;
      }
      if (h == OWNER) {
        ownerWait.cancel();
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1)); // it unparks us
      } else if (holder.compareAndSet(h, CLOSED)) {
        break;
      }
    }
    ownerWait.closing();
  }
}
