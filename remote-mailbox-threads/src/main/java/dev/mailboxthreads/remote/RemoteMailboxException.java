package dev.mailboxthreads.remote;

/**
 * A remote operation failed: an endpoint could not be bound (address in use, no such
 * interface, permission), a connection or publication could not be set up, or the context is
 * closed. The message names the endpoint and what to do; a ZeroMQ failure is the cause.
 */
public class RemoteMailboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the endpoint, and what to do
   * @param cause the underlying failure, or null
   */
  public RemoteMailboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
