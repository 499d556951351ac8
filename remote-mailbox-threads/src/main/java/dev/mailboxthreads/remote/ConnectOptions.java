package dev.mailboxthreads.remote;

import java.time.Duration;
import java.util.Objects;

/**
 * How a connection sends. {@link #defaults()} suits most uses; change one setting with a
 * {@code with...} method: {@code ConnectOptions.defaults().withSendTimeout(Duration.ofSeconds(1))}.
 *
 * @param codec encodes messages, in the sending thread; default {@link JavaCodec#defaults()}
 * @param sendHighWaterMark the capacity, in messages, of the connection's own queue in front of
 *     the socket; ZeroMQ's queue behind it (ZMQ_SNDHWM, per endpoint) holds this / 256 messages,
 *     at least 1, each a batch of up to 256 messages and 64 KiB when batching; without batching,
 *     this many but at most {@value #ZMQ_MAX_UNBATCHED} frames, so that large frames do not pile
 *     up where no byte bound reaches them; default 100,000
 * @param sendTimeout how long {@code send} waits when both queues are full before it throws
 *     {@link SendTimeoutException}; {@link Duration#ZERO} fails at once; default 10 s
 * @param linger how long, after {@link RemoteThread#close()} or the context's close, ZeroMQ
 *     keeps trying to deliver what is still queued (ZMQ_LINGER; {@code close()} waits within it
 *     until ZeroMQ's queue has drained to the receiver, and counts what has not as discarded);
 *     default 5 s
 * @param maxMessageBytes largest encoded message {@code send} accepts; larger ones throw
 *     {@link UnencodableMessageException}; default 16 MiB
 * @param curve CURVE settings: the connection encrypted and delivering only to the publication
 *     that holds the server key (docs/remote.md, Security); {@code null} (the default) for none.
 *     Both sides must agree: a CURVE client and a plain publication, or the reverse, never
 *     complete a handshake, and sends fail with {@link SendTimeoutException} once the queues are
 *     full
 * @param batching whether the connection packs the messages queued at one moment into one batch
 *     frame (docs/wire-format.md, "Batch frame"): {@code TRUE}, {@code FALSE}, or {@code null}
 *     (the default) for "when the codec is a {@link JavaCodec}", whose peers are Java
 *     publications, which always accept batches. A peer in another language that does not
 *     unpack batches needs {@code FALSE} (the interop codec, {@link MsgpackCodec}, has it by
 *     default). Batching never waits for more messages: a lone message goes as it is
 * @param sendQueueBytes the byte bound of the connection's own queue, beside its message count:
 *     a {@code send} finds room while the queue holds fewer encoded bytes than this (so the queue
 *     holds at most this plus one message), and otherwise waits as at the high-water mark. A
 *     String sent on a {@link JavaCodec} connection, queued as it is and encoded by the
 *     connection's thread, counts as its length in chars plus 6. Without it, a stream of 4 KiB
 *     messages to a slower receiver kept 100,000 of them (400 MB) in this queue, and the sending
 *     JVM spent its time copying them in the garbage collector (docs/remote.md, "Delivery
 *     semantics"); default 16 MiB
 */
public record ConnectOptions(
    Codec codec, int sendHighWaterMark, Duration sendTimeout, Duration linger, int maxMessageBytes,
    CurveClient curve, Boolean batching, long sendQueueBytes) {

  /** Most frames ZeroMQ's queue holds per endpoint when the connection does not batch. */
  public static final int ZMQ_MAX_UNBATCHED = 4096;

  /** The default of {@link #sendQueueBytes()}: 16 MiB. */
  public static final long DEFAULT_SEND_QUEUE_BYTES = 16L << 20;

  /**
   * Checks the settings.
   *
   * @param codec not null
   * @param sendHighWaterMark 1 or more
   * @param sendTimeout not negative
   * @param linger not negative
   * @param maxMessageBytes more than 0
   * @param curve CURVE settings, or null for none
   * @param batching TRUE, FALSE, or null for "when the codec is a JavaCodec"
   * @param sendQueueBytes 1 or more
   */
  public ConnectOptions {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(sendTimeout, "sendTimeout");
    Objects.requireNonNull(linger, "linger");
    if (sendHighWaterMark < 1) {
      throw new IllegalArgumentException("sendHighWaterMark < 1: " + sendHighWaterMark);
    }
    if (sendTimeout.isNegative()) {
      throw new IllegalArgumentException("sendTimeout < 0: " + sendTimeout);
    }
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger < 0: " + linger);
    }
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes <= 0: " + maxMessageBytes);
    }
    if (sendQueueBytes < 1) {
      throw new IllegalArgumentException("sendQueueBytes < 1: " + sendQueueBytes
          + "; give the most bytes the connection's queue may hold, e.g. 16 MiB (16 << 20)");
    }
  }

  /**
   * Options with the default {@link #sendQueueBytes()}.
   *
   * @param codec not null
   * @param sendHighWaterMark 1 or more
   * @param sendTimeout not negative
   * @param linger not negative
   * @param maxMessageBytes more than 0
   * @param curve CURVE settings, or null for none
   * @param batching TRUE, FALSE, or null for "when the codec is a JavaCodec"
   */
  public ConnectOptions(Codec codec, int sendHighWaterMark, Duration sendTimeout, Duration linger,
      int maxMessageBytes, CurveClient curve, Boolean batching) {
    this(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes, curve, batching,
        DEFAULT_SEND_QUEUE_BYTES);
  }

  /**
   * Options with batching decided by the codec (see {@link #batches()}).
   *
   * @param codec not null
   * @param sendHighWaterMark 1 or more
   * @param sendTimeout not negative
   * @param linger not negative
   * @param maxMessageBytes more than 0
   * @param curve CURVE settings, or null for none
   */
  public ConnectOptions(Codec codec, int sendHighWaterMark, Duration sendTimeout, Duration linger,
      int maxMessageBytes, CurveClient curve) {
    this(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes, curve, null);
  }

  /**
   * Options without CURVE.
   *
   * @param codec not null
   * @param sendHighWaterMark 1 or more
   * @param sendTimeout not negative
   * @param linger not negative
   * @param maxMessageBytes more than 0
   */
  public ConnectOptions(Codec codec, int sendHighWaterMark, Duration sendTimeout, Duration linger,
      int maxMessageBytes) {
    this(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes, null, null);
  }

  /**
   * The defaults.
   *
   * @return the default options
   */
  public static ConnectOptions defaults() {
    return new ConnectOptions(
        JavaCodec.defaults(), 100_000, Duration.ofSeconds(10), Duration.ofSeconds(5), 16 << 20,
        null, null, DEFAULT_SEND_QUEUE_BYTES);
  }

  /**
   * These options with another codec.
   *
   * @param codec the codec
   * @return new options
   */
  public ConnectOptions withCodec(Codec codec) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes,
        curve, batching, sendQueueBytes);
  }

  /**
   * These options with another high-water mark.
   *
   * @param messages the high-water mark
   * @return new options
   */
  public ConnectOptions withSendHighWaterMark(int messages) {
    return new ConnectOptions(codec, messages, sendTimeout, linger, maxMessageBytes, curve,
        batching, sendQueueBytes);
  }

  /**
   * These options with another send timeout.
   *
   * @param timeout the send timeout
   * @return new options
   */
  public ConnectOptions withSendTimeout(Duration timeout) {
    return new ConnectOptions(codec, sendHighWaterMark, timeout, linger, maxMessageBytes, curve,
        batching, sendQueueBytes);
  }

  /**
   * These options with another linger.
   *
   * @param linger the linger
   * @return new options
   */
  public ConnectOptions withLinger(Duration linger) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes,
        curve, batching, sendQueueBytes);
  }

  /**
   * These options with another size limit.
   *
   * @param bytes the largest encoded message accepted
   * @return new options
   */
  public ConnectOptions withMaxMessageBytes(int bytes) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, bytes, curve,
        batching, sendQueueBytes);
  }

  /**
   * These options with CURVE: the connection is encrypted and delivers only to the publication
   * whose public key {@code curve} names, which must allow the client's key.
   *
   * @param curve the client's key pair and the publication's public key; null for no CURVE
   * @return new options
   */
  public ConnectOptions withCurve(CurveClient curve) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes,
        curve, batching, sendQueueBytes);
  }

  /**
   * These options with batching switched on or off, whatever the codec.
   *
   * @param on true to pack the messages queued at one moment into batch frames, false to send
   *     each message as a frame of its own
   * @return new options
   */
  public ConnectOptions withBatching(boolean on) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes,
        curve, on, sendQueueBytes);
  }

  /**
   * These options with another byte bound on the connection's queue.
   *
   * @param bytes the queue takes a message while it holds fewer encoded bytes than this
   * @return new options
   */
  public ConnectOptions withSendQueueBytes(long bytes) {
    return new ConnectOptions(codec, sendHighWaterMark, sendTimeout, linger, maxMessageBytes,
        curve, batching, bytes);
  }

  /**
   * Whether the connection batches: {@link #batching()} if set, else whether the codec is a
   * {@link JavaCodec}.
   *
   * @return true if it batches
   */
  public boolean batches() {
    return batching != null ? batching : codec instanceof JavaCodec;
  }
}
