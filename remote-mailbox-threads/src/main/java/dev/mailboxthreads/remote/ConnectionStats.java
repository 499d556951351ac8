package dev.mailboxthreads.remote;

/**
 * Counters of a {@link RemoteThread}, read at one moment.
 *
 * @param sent messages handed to the ZeroMQ socket (from there on they are ZeroMQ's to deliver,
 *     at most once); those moved to {@code discarded} at close are no longer counted here
 * @param queued messages encoded and waiting for the socket now
 * @param timedOut sends that failed with {@link SendTimeoutException}; nothing of them was sent
 * @param discarded messages that {@link RemoteThread#close()} gave up on after the linger: those
 *     still queued when the receiver stayed unreachable, plus those ZeroMQ held for a receiver
 *     when none connected again before the linger ended: if no receiver ever completed a
 *     handshake with the connection (nothing listened, or CURVE refused it), every message
 *     handed to ZeroMQ; if one did and then went away, every message handed over after the
 *     connection saw it go, and those still in ZeroMQ's queue then (when JeroMQ's internals can
 *     tell, see docs/remote.md); plus, when the linger ends with a receiver connected that did
 *     not take everything (stalled or slow), what ZeroMQ's queue still holds. ZeroMQ could deliver none of them; a WARNING
 *     log line says how many. Not counted, because they cannot be known without
 *     acknowledgements (at most once): messages in ZeroMQ's engine or the kernel's buffers when
 *     the receiver went; and, with several endpoints, those the round-robin gave to a down
 *     endpoint while another was connected
 * @param queuedBytes what the messages waiting in the connection's own queue weigh against
 *     {@link ConnectOptions#sendQueueBytes()}: their encoded bytes (a String on a {@link
 *     JavaCodec} connection, queued as it is: its length in chars plus 6)
 */
public record ConnectionStats(
    long sent, long queued, long timedOut, long discarded, long queuedBytes) {

  /**
   * Counters without the queue's bytes (0).
   *
   * @param sent messages handed to the ZeroMQ socket
   * @param queued messages waiting for the socket
   * @param timedOut sends that failed with {@link SendTimeoutException}
   * @param discarded messages given up on at close
   */
  public ConnectionStats(long sent, long queued, long timedOut, long discarded) {
    this(sent, queued, timedOut, discarded, 0);
  }
}
