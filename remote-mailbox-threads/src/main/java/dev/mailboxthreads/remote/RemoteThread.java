package dev.mailboxthreads.remote;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.Reply;
import dev.mailboxthreads.Request;
import dev.mailboxthreads.remote.internal.Endpoints;
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
 * thread, which owns the socket. (One exception, invisible to the sender: a {@code String} sent
 * with {@link JavaCodec}, which always encodes, is queued as it is and encoded by the I/O
 * thread straight into the outgoing frame.) It returns at once unless the connection's queue is full,
 * which happens only when the receiver is down or slower than the senders; it then waits up to
 * {@link ConnectOptions#sendTimeout()} and throws {@link SendTimeoutException}.
 *
 * <p><b>Delivery:</b> at most once. Per sending thread, messages arrive in the order sent. A
 * receiver that restarts on the same endpoint is reconnected to without any action; messages
 * sent while it was down wait in ZeroMQ's queue (up to the high-water mark) and are delivered
 * when it is back, except those that were already on the broken connection.
 *
 * <p><b>Addresses and calls:</b> a {@code RemoteThread} can be a field of a message; it travels
 * as its endpoints ({@link Addresses}). A {@code RemoteThread} that a publication decoded from a
 * message is <i>shared</i>: it sends on a connection of its context that serves every address
 * with the same endpoints, opened on first use and closed after it has been idle; such a
 * handle never needs closing ({@link #close()} does nothing on it). {@link
 * dev.mailboxthreads.MailboxThreads#call call} works on any {@code RemoteThread}: the request
 * travels with its correlation id and a reply address in the frame's metadata
 * (docs/wire-format.md), and the reply address is a publication of this process, so the
 * calling process must have published the calling thread or another one.
 *
 * <p><b>Thread safety:</b> safe for any number of threads at once, platform or virtual; one
 * connection serves them all with one socket.
 */
public final class RemoteThread implements Address, AutoCloseable {
  private final List<String> endpoints;
  private final Codec codec;
  private final int maxMessageBytes;
  /** This connection's own loop; null for a shared handle. */
  private final SenderLoop loop;
  /** The shared connections a shared handle sends through; null otherwise. */
  private final SharedConnections shared;
  private final SharedConnections.Key key;
  private final RemoteContext context;
  /** The CURVE server key this connection delivers to only, or null for a plain one. */
  private final String serverKey;

  RemoteThread(RemoteContext context, List<String> endpoints, ConnectOptions options,
      SenderLoop loop) {
    this.context = context;
    this.endpoints = endpoints;
    this.codec = options.codec();
    this.maxMessageBytes = options.maxMessageBytes();
    this.loop = loop;
    this.shared = null;
    this.key = null;
    this.serverKey = options.curve() == null ? null : options.curve().serverPublicKey();
  }

  /** A shared handle, made by decoding an address. */
  RemoteThread(RemoteContext context, SharedConnections shared, SharedConnections.Key key) {
    this.context = context;
    this.endpoints = key.endpoints();
    this.codec = key.codec();
    this.maxMessageBytes = ConnectOptions.defaults().maxMessageBytes();
    this.loop = null;
    this.shared = shared;
    this.key = key;
    this.serverKey = key.serverKey();
  }

  /**
   * Encodes {@code message} and queues it for the remote thread. A {@link Request} (made by
   * {@code call}) or a {@link Reply} (made by {@link Request#reply}) travels as its body, with
   * the call envelope in the frame's metadata.
   *
   * @param message the message; its whole object graph is copied
   * @throws NullPointerException if {@code message} is null
   * @throws UnencodableMessageException if the codec cannot encode it (the message names the
   *     class), it is larger than {@link ConnectOptions#maxMessageBytes()}, it holds the address
   *     of a local thread that is not published, or it is a request and no thread of this
   *     process is published to receive the reply; nothing is sent
   * @throws RemoteMailboxException if this is a shared handle for a CURVE address and there is
   *     no key pair to connect with (see {@link Addresses}); nothing is sent
   * @throws SendTimeoutException if it could not be queued within the send timeout
   * @throws IllegalStateException if this connection is closed
   * @throws dev.mailboxthreads.MailboxInterruptedException if interrupted while waiting for
   *     room
   */
  @Override
  public void send(Object message) {
    Objects.requireNonNull(message, "message: null cannot be sent; send a value or an Optional");
    byte[] metadata = null;
    if (message instanceof Request r) {
      metadata = Frames.requestMetadata(r.correlationId(),
          Addresses.replyEndpoints(r.replyTo(), context, codec.id(), serverKey != null));
      message = r.body();
    } else if (message instanceof Reply r) {
      metadata = Frames.replyMetadata(r.correlationId());
      message = r.body();
    }
    if (metadata == null && message instanceof String s && codec instanceof JavaCodec
        && Frames.STRING_PREFIX_BYTES + 3L * s.length() <= maxMessageBytes) {
      // JavaCodec writes a String as its UTF-8 (at most 3 bytes a char), which never fails: the
      // connection's I/O thread encodes it straight into the batch, and the queue holds the
      // String instead of a copy (SenderLoop.offerString)
      if (shared != null) {
        shared.offer(key, s);
      } else {
        loop.offerString(s);
      }
      return;
    }
    byte[] frame;
    try {
      frame = codec.encode(message, Frames.headroom(metadata));
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
    Frames.writeHeader(frame, codec.id(), metadata);
    if (shared != null) {
      shared.offer(key, frame);
    } else {
      loop.offer(frame);
    }
  }

  /**
   * The endpoints this connection sends to.
   *
   * @return the endpoints as given
   */
  public List<String> endpoints() {
    return endpoints;
  }

  /** The strings this connection's address travels as: endpoints, then the CURVE key if any. */
  List<String> address() {
    return Endpoints.address(endpoints, serverKey);
  }

  /** This connection's own loop, for tests; null for a shared handle. */
  SenderLoop loop() {
    return loop;
  }

  /**
   * The connection's counters.
   *
   * @return a snapshot
   */
  public ConnectionStats stats() {
    return shared != null ? shared.stats(key) : loop.stats();
  }

  /**
   * Stops accepting messages, hands everything already sent to ZeroMQ, waits within {@link
   * ConnectOptions#linger()} until ZeroMQ's queue has given everything to the receiver's
   * connection, and closes the socket with what is left of the linger, during which ZeroMQ
   * flushes what it still has. So it returns at once when the receiver keeps up and takes up to
   * the linger when it does not. If the receiver stays unreachable, or does not take everything
   * within the linger, what is left is discarded and counted in {@link
   * ConnectionStats#discarded()}. Returns when the connection's I/O thread has ended.
   * Idempotent; never interrupts anyone. Does nothing on a shared handle (one decoded from a
   * message): its connection belongs to the context, which closes it when idle.
   */
  @Override
  public void close() {
    if (shared != null) {
      return;
    }
    loop.close();
    context.forget(this);
  }

  /** Starts closing an own connection without waiting (the context closes many at once). */
  void beginClose() {
    if (shared == null) {
      loop.beginClose();
    }
  }

  /**
   * Two shared handles (decoded from messages) are equal when they send on the same shared
   * connection; any other {@code RemoteThread} equals only itself.
   */
  @Override
  public boolean equals(Object o) {
    if (shared == null) {
      return this == o;
    }
    return o instanceof RemoteThread r && r.shared == shared && key.equals(r.key);
  }

  @Override
  public int hashCode() {
    return shared == null ? System.identityHashCode(this) : key.hashCode();
  }

  @Override
  public String toString() {
    return "RemoteThread" + endpoints + (serverKey != null ? " (CURVE)" : "")
        + (shared != null ? " (shared)" : "");
  }
}
