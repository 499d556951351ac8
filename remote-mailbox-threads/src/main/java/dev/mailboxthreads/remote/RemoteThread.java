package dev.mailboxthreads.remote;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.remote.internal.Frames;
import dev.mailboxthreads.remote.internal.SenderLoop;
import java.util.List;
import java.util.Objects;

/**
 * A connection to a thread published in another process, or in this one
 * (connect-remote-thread). It is an {@link Address}: {@code MailboxThreads.send(remote, msg)}
 * sends to it exactly as to a local thread. Made by {@link
 * RemoteMailboxThreads#connect(String...)}. With several endpoints, messages go round-robin
 * among the connected ones, as ZeroMQ's PUSH socket does, so every endpoint should be able to
 * handle every message.
 *
 * <p>{@link #send} encodes the message in the calling thread (so a message that cannot be
 * encoded fails there, and nothing is sent), then queues the bytes for the connection's I/O
 * thread, which owns the socket. It returns at once unless the connection's queue is full,
 * which happens only when the receiver is down or slower than the senders; it then waits up to
 * {@link ConnectOptions#sendTimeout()} and throws {@link SendTimeoutException}.
 *
 * <p><b>Delivery:</b> at most once. Per sending thread, messages arrive in the order sent. A
 * receiver that restarts on the same endpoint is reconnected to without any action; messages
 * sent while it was down wait in ZeroMQ's queue (up to the high-water mark) and are delivered
 * when it is back, except those that were already on the broken connection.
 *
 * <p><b>Thread safety:</b> safe for any number of threads at once, platform or virtual; one
 * connection serves them all with one socket.
 */
public final class RemoteThread implements Address, AutoCloseable {
  private final List<String> endpoints;
  private final Codec codec;
  private final int maxMessageBytes;
  private final SenderLoop loop;
  private final RemoteContext context;

  RemoteThread(RemoteContext context, List<String> endpoints, ConnectOptions options,
      SenderLoop loop) {
    this.context = context;
    this.endpoints = endpoints;
    this.codec = options.codec();
    this.maxMessageBytes = options.maxMessageBytes();
    this.loop = loop;
  }

  /**
   * Encodes {@code message} and queues it for the remote thread.
   *
   * @param message the message; its whole object graph is copied
   * @throws NullPointerException if {@code message} is null
   * @throws UnencodableMessageException if the codec cannot encode it (the message names the
   *     class) or it is larger than {@link ConnectOptions#maxMessageBytes()}; nothing is sent
   * @throws SendTimeoutException if it could not be queued within the send timeout
   * @throws IllegalStateException if this connection is closed
   * @throws dev.mailboxthreads.MailboxInterruptedException if interrupted while waiting for
   *     room
   */
  @Override
  public void send(Object message) {
    Objects.requireNonNull(message, "message: null cannot be sent; send a value or an Optional");
    byte[] frame;
    try {
      frame = codec.encode(message, Frames.HEADER_BYTES);
    } catch (UnencodableMessageException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new UnencodableMessageException("cannot encode a " + message.getClass().getName()
          + " with " + codec + ": " + e, e);
    }
    if (frame.length > maxMessageBytes) {
      throw new UnencodableMessageException("a " + message.getClass().getName() + " encodes to "
          + frame.length + " bytes, over maxMessageBytes (" + maxMessageBytes
          + "); send less, or raise ConnectOptions.maxMessageBytes and the receiver's"
          + " PublishOptions.maxMessageBytes", null);
    }
    Frames.writeHeader(frame, codec.id());
    loop.offer(frame);
  }

  /**
   * The endpoints this connection sends to.
   *
   * @return the endpoints as given
   */
  public List<String> endpoints() {
    return endpoints;
  }

  /**
   * The connection's counters.
   *
   * @return a snapshot
   */
  public ConnectionStats stats() {
    return loop.stats();
  }

  /**
   * Stops accepting messages, hands everything already sent to ZeroMQ, and closes the socket,
   * which keeps delivering for {@link ConnectOptions#linger()}. If the receiver stays
   * unreachable for the whole linger, what is left is discarded and counted in {@link
   * ConnectionStats#discarded()}. Returns when the connection's I/O thread has ended.
   * Idempotent; never interrupts anyone.
   */
  @Override
  public void close() {
    loop.close();
    context.forget(this);
  }

  @Override
  public String toString() {
    return "RemoteThread" + endpoints;
  }
}
