package dev.mailboxthreads.remote;

/**
 * Turns messages into bytes and back. A codec is chosen per publication and per connection
 * ({@link PublishOptions#codec()}, {@link ConnectOptions#codec()}); its {@link #id()} travels
 * in every frame's header, so a publication can tell a frame of another codec from garbage.
 *
 * <p>Implementations must refuse, on decoding, anything they are not sure is safe to build from
 * untrusted bytes: a publication is a network service and decodes what anyone sends it.
 *
 * <p><b>Addresses:</b> a codec that carries {@link dev.mailboxthreads.Address} values inside
 * messages encodes each as the endpoint list {@link Addresses#endpointsOf} gives (which fails
 * with {@link UnencodableMessageException} for a local thread that is not published), and
 * decodes such a list with {@link Addresses#fromEndpoints}, which returns the local mailbox or a
 * shared {@link RemoteThread} of the receiving publication's context. The reply address and
 * correlation id of a {@code call} are not the codec's business: they travel in the frame's
 * metadata, and the codec sees only the request's or the reply's body.
 *
 * <p><b>Thread safety:</b> implementations must be safe for concurrent use: {@code encode} is
 * called by every sending thread (so that a message that cannot be encoded fails in the
 * sender's {@code send}), {@code decode} by a publication's I/O thread, or by the published
 * thread itself while it waits in {@code receive} (direct receive, docs/remote.md).
 */
public interface Codec {

  /**
   * The codec's wire id, 0 to 255; ids 0 to 15 are reserved for this library's codecs
   * (docs/wire-format.md lists them).
   *
   * @return the id written in each frame's header
   */
  int id();

  /**
   * Encodes {@code message}. The returned array starts with {@code headroom} bytes that the
   * codec leaves unused, so the caller can write the frame header there without a copy.
   *
   * @param message the message, not null
   * @param headroom bytes to leave free at the start
   * @return a new array: {@code headroom} free bytes, then the encoded message
   * @throws UnencodableMessageException if the message (or something it refers to) cannot be
   *     encoded; the message must name the offending class
   */
  byte[] encode(Object message, int headroom);

  /**
   * Decodes a message from {@code length} bytes of {@code frame} starting at {@code offset}.
   * The array may hold more than this message (the header, and in a batch the other messages
   * of the batch, which are decoded from the same array without a copy): read only the given
   * range, and do not modify the array.
   *
   * @param frame the received frame
   * @param offset where the encoded message starts
   * @param length its length
   * @return the message, not null
   * @throws CodecException if the bytes do not decode ({@link DropReason#UNDECODABLE}) or name
   *     a class that is not allowed ({@link DropReason#FORBIDDEN_CLASS}); when decoding ran out
   *     of stack, either let the {@link StackOverflowError} through or make it the exception's
   *     cause: the publication then decodes the message again on its I/O thread's bigger stack
   *     instead of dropping it, when the published thread was the one decoding
   */
  Object decode(byte[] frame, int offset, int length);
}
