package dev.mailboxthreads;

import java.time.Duration;

/**
 * Thrown by {@link MailboxThreads#call(Address, Object, Duration) call} when no reply came
 * within the timeout. The call is then given up: a reply that comes later is dropped and counted
 * in {@link MailboxThreads#lateReplyCount()}, never left in the caller's mailbox. The request
 * may or may not have been handled.
 *
 * <p>A {@link MailboxTimeoutException}, so code that handles every timeout the same way catches
 * this one too.
 */
public final class CallTimeoutException extends MailboxTimeoutException {
  private static final long serialVersionUID = 1L;

  /** The address called. */
  private final transient Address target;

  /** The call's correlation id. */
  private final long correlationId;

  /**
   * Creates the exception.
   *
   * @param target the address called
   * @param request the request, named in the message by its class
   * @param timeout the timeout that ran out
   * @param correlationId the call's id
   */
  public CallTimeoutException(
      Address target, Object request, Duration timeout, long correlationId) {
    super("no reply from " + target + " to a " + request.getClass().getName() + " request (call "
        + correlationId + ") within " + timeout + "; a reply that comes later is dropped and"
        + " counted in MailboxThreads.lateReplyCount()", timeout);
    this.target = target;
    this.correlationId = correlationId;
  }

  /**
   * The address called.
   *
   * @return the target given to {@code call}
   */
  public Address target() {
    return target;
  }

  /**
   * The correlation id of the call that timed out.
   *
   * @return the id
   */
  public long correlationId() {
    return correlationId;
  }
}
