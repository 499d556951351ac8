package dev.mailboxthreads.remote;

/**
 * A message could not be encoded by the connection's codec, so nothing was sent. Thrown by
 * {@code send} in the sending thread; the message names the offending class and what to do.
 */
public class UnencodableMessageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the class that cannot be encoded and what to do
   * @param cause the codec's failure, or null
   */
  public UnencodableMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
