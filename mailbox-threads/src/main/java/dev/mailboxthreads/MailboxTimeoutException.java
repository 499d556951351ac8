package dev.mailboxthreads;

import java.time.Duration;

/**
 * Thrown by a timed {@code receive} or {@code mailboxNext} without a default value when no
 * (matching) message arrived within the timeout: the mailbox-timeout condition of the Scheme
 * library. Use the overloads that take a default value to get a value instead of an exception.
 *
 * <p>Unchecked, because a timeout is an outcome the caller chose to handle or to let propagate;
 * thread bodies are {@link Runnable}s, where a checked exception would only add boilerplate.
 */
public sealed class MailboxTimeoutException extends RuntimeException
    permits CallTimeoutException {
  private static final long serialVersionUID = 1L;

  /** The timeout that ran out. */
  private final transient Duration timeout;

  /**
   * Creates the exception for a wait of {@code timeout}.
   *
   * @param timeout the timeout that ran out
   */
  public MailboxTimeoutException(Duration timeout) {
    super("no message arrived within " + timeout);
    this.timeout = timeout;
  }

  /**
   * Creates the exception with a message of its own, for subclasses.
   *
   * @param message what did not arrive in time
   * @param timeout the timeout that ran out
   */
  MailboxTimeoutException(String message, Duration timeout) {
    super(message);
    this.timeout = timeout;
  }

  /**
   * The timeout that ran out.
   *
   * @return the timeout given to the call that threw this exception
   */
  public Duration timeout() {
    return timeout;
  }
}
