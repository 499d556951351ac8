package dev.mailboxthreads.internal;

import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The calls waiting for their reply, by correlation id, and the count of late replies.
 *
 * <p>Every reply goes through {@link #claim}: only a reply whose call still waits may enter a
 * mailbox, so a reply that comes after its call gave up is dropped and counted instead of
 * staying in the caller's mailbox for ever.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public final class Calls {
  /*
   * Implementation notes.
   *
   * A Pending goes WAITING -> CLAIMED (by the thread delivering the reply, just before it
   * appends the reply to the caller's mailbox) or WAITING -> ABANDONED (by the caller, on
   * timeout or interrupt). Both are one compareAndSet, so exactly one side wins: if the caller
   * wins, the reply is dropped and counted; if the deliverer wins, the reply is in the mailbox
   * or about to be (offer never blocks), and the caller takes it even though its timeout ran out.
   *
   * Ids start at a random 64-bit value per JVM and count up, so that a reply meant for a call of
   * an earlier run of this process (same endpoints, restarted) is very unlikely to match a call
   * of this one.
   */
  private static final int WAITING = 0;
  private static final int CLAIMED = 1;
  private static final int ABANDONED = 2;

  private static final AtomicLong NEXT_ID = new AtomicLong(new SecureRandom().nextLong());
  private static final ConcurrentHashMap<Long, Pending> PENDING = new ConcurrentHashMap<>();
  private static final LongAdder LATE = new LongAdder();

  private Calls() {}

  /** One call waiting for its reply. */
  public static final class Pending {
    private final long id;
    private final Thread caller;
    private final AtomicInteger state = new AtomicInteger(WAITING);

    Pending(long id, Thread caller) {
      this.id = id;
      this.caller = caller;
    }

    /**
     * The call's correlation id.
     *
     * @return the id, unique in this JVM
     */
    public long id() {
      return id;
    }

    /**
     * Gives up waiting (timeout or interrupt): a reply that comes later is dropped and counted.
     *
     * @return true if given up; false if a reply was claimed first and is in the caller's mailbox
     *     or about to be
     */
    public boolean abandon() {
      boolean won = state.compareAndSet(WAITING, ABANDONED);
      PENDING.remove(id, this);
      return won;
    }

    /** Forgets a call whose reply was taken, or whose request could not be sent. */
    public void done() {
      PENDING.remove(id, this);
    }
  }

  /**
   * Registers a call of {@code caller}, before its request is sent.
   *
   * @param caller the calling thread, the current one
   * @return the pending call, with a fresh id
   */
  public static Pending register(Thread caller) {
    Pending p = new Pending(NEXT_ID.getAndIncrement(), caller);
    PENDING.put(p.id, p);
    return p;
  }

  /**
   * Claims the right to deliver the reply to call {@code id}.
   *
   * @param id the correlation id the reply carries
   * @return the thread whose call waits for it, which must now be sent the reply; or null if no
   *     call waits for it (it timed out, was interrupted, got its reply already, or never was),
   *     in which case the reply has been counted as late
   */
  public static Thread claim(long id) {
    Pending p = PENDING.get(id);
    if (p != null && p.state.compareAndSet(WAITING, CLAIMED)) {
      return p.caller;
    }
    LATE.increment();
    return null;
  }

  /** Counts a reply that was claimed but could not be used (its caller gave up or ended). */
  public static void countLate() {
    LATE.increment();
  }

  /**
   * Replies dropped because no call waited for them.
   *
   * @return the count since this class was loaded
   */
  public static long late() {
    return LATE.sum();
  }

  /**
   * Calls waiting for their reply now, for tests.
   *
   * @return the count
   */
  public static int pending() {
    return PENDING.size();
  }
}
