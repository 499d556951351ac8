package dev.mailboxthreads.remote;

import java.time.Duration;

/**
 * A remote send could not be queued within the connection's send timeout: the receiver is
 * down or slower than the senders, and the connection's queue and ZeroMQ's high-water mark are
 * full. Nothing of the message was sent; it is counted in {@link ConnectionStats#timedOut()}.
 */
public class SendTimeoutException extends RemoteMailboxException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param endpoints the connection's endpoints
   * @param timeout the send timeout that ran out
   */
  public SendTimeoutException(String endpoints, Duration timeout) {
    super("send to " + endpoints + " could not be queued within " + timeout
        + ": the receiver is down or slower than its senders; retry later, or raise"
        + " ConnectOptions.sendTimeout / sendHighWaterMark", null);
  }
}
