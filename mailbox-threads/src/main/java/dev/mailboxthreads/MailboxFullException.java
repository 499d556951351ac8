package dev.mailboxthreads;

/**
 * Thrown by a send to a mailbox that is full when its limit says {@link Overflow#FAIL}. Nothing
 * was sent. Unchecked, like the other exceptions of this library: only mailboxes that someone
 * chose to limit this way throw it.
 */
public final class MailboxFullException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was full, and its limit
   */
  public MailboxFullException(String message) {
    super(message);
  }
}
