package dev.mailboxthreads.spi;

/**
 * How one thread waits for its mailbox when its mailbox has nothing for it, in place of parking:
 * for transports that deliver to a thread sooner from that thread itself. The remote module's
 * publication lends its socket this way to a platform thread blocked in {@code receive}, which
 * then reads, decodes and delivers what arrives without waking another thread first.
 *
 * <p>Installed for one thread with {@link OwnerWaits#install}. The owner thread calls {@link
 * #await} whenever it would park in {@code receive}, {@code mailboxNext} or a selective receive:
 * after it has published itself as waiting and found its mailbox still empty. A thread that
 * delivers a message to the owner meanwhile calls {@link #wake} instead of unparking it, once per
 * wait at most.
 *
 * <p><b>Thread safety:</b> {@link #await} runs on the owner thread only; {@link #wake} on any
 * thread, the owner included (a wait that delivers to its own mailbox), possibly interrupted,
 * concurrently with {@link #await}, before it, or after it has returned.
 */
public interface OwnerWait {
  /**
   * Waits, on the owner thread, until a message may have arrived: this wait delivered one to
   * the owner's mailbox, {@link #wake} was called since the owner's last return from here, the
   * time ran out, or the owner was interrupted. May return sooner (the caller looks and waits
   * again); must not return later than that by more than about a millisecond. An interrupt must
   * be left set in the thread's interrupt status (the caller then throws).
   *
   * <p>Count on {@link #wake} to end the wait, not on the thread's park permit: the sender may
   * have called it before this method began, and anything here that may park (taking a
   * contended lock, say) may use up an {@code unpark} the wake sent, so a bare {@code park}
   * after it could wait forever. Remember the wake (a flag) and park until it is set.
   *
   * @param timeoutNanos the longest wait in nanoseconds, positive; {@link Long#MAX_VALUE} for no
   *     limit
   */
  void await(long timeoutNanos);

  /**
   * Ends the owner's current {@link #await}, or the next one if none is in progress: a message
   * was delivered to its mailbox.
   */
  void wake();
}
