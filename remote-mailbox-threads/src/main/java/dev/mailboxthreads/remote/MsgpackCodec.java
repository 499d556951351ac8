package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.MsgpackValues;
import java.util.Objects;

/**
 * The interop codec: one MessagePack value per message, so that a peer in any language with a
 * ZeroMQ binding and a MessagePack library can send to a published Java thread and receive from
 * a Java {@link RemoteThread}. Wire id 2. Use it on both sides of a Java-to-other-language
 * link: {@code PublishOptions.defaults().withCodec(MsgpackCodec.defaults())} to receive, {@code
 * ConnectOptions.defaults().withCodec(MsgpackCodec.defaults())} to send. docs/wire-format.md
 * has complete Python peers.
 *
 * <h2>What is sent</h2>
 *
 * <table class="striped">
 *   <caption>Java values and the MessagePack types they are encoded as</caption>
 *   <thead><tr><th>Java</th><th>MessagePack</th><th>Python (msgpack 1.x)</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code null} (inside a message)</td><td>nil</td><td>{@code None}</td></tr>
 *   <tr><td>{@code Boolean}</td><td>bool</td><td>{@code bool}</td></tr>
 *   <tr><td>{@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code BigInteger} from
 *       -2<sup>63</sup> to 2<sup>64</sup>-1</td><td>int, in its smallest form</td>
 *       <td>{@code int}</td></tr>
 *   <tr><td>{@code Float}</td><td>float 32</td><td>{@code float}</td></tr>
 *   <tr><td>{@code Double}</td><td>float 64</td><td>{@code float}</td></tr>
 *   <tr><td>{@code String}, {@code Character}</td><td>str (UTF-8)</td><td>{@code str}</td></tr>
 *   <tr><td>{@code byte[]}</td><td>bin</td><td>{@code bytes}</td></tr>
 *   <tr><td>{@code java.time.Instant}</td><td>the timestamp extension (type -1)</td>
 *       <td>{@code msgpack.Timestamp}</td></tr>
 *   <tr><td>an enum constant</td><td>str: its {@code name()}</td><td>{@code str}</td></tr>
 *   <tr><td>a record</td><td>map: component name to value, in declaration order</td>
 *       <td>{@code dict} with {@code str} keys</td></tr>
 *   <tr><td>{@code Map}</td><td>map, in the map's iteration order</td><td>{@code dict}</td></tr>
 *   <tr><td>{@code Collection} ({@code List}, {@code Set}, ...), {@code Object[]}, {@code
 *       int[]}, {@code long[]}, {@code short[]}, {@code float[]}, {@code double[]}, {@code
 *       boolean[]}</td><td>array, in iteration order</td><td>{@code list}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Everything nests. Map keys must be Strings, enums, Characters, Booleans or numbers (no
 * {@code null}); note that Python's msgpack reads only {@code str} and {@code bytes} keys unless
 * it is given {@code strict_map_key=False}. There is no type information on the wire: a record
 * arrives as a map, an enum as a string, and the receiver decides what it means.
 *
 * <p><b>What encoding refuses</b>, in the sender's {@code send}, with an {@link
 * UnencodableMessageException} whose message gives the path to the offending value (such as
 * {@code $.items[3].id}) and what to do: any other class (convert it to a record, a map or a
 * String); a {@code char[]}; a {@code BigInteger} outside the range above; a String with an
 * unpaired surrogate, which UTF-8 cannot carry; a {@code null} or other unsupported map key; a
 * map with two keys that encode the same (such as {@code 1} and {@code 1L}, or an enum and its
 * name); a message nested deeper than {@link #maxDepth()} levels of records, maps and
 * collections, which is also how a message that contains itself is caught (MessagePack has no
 * references); a record whose accessors this library may not call (its package must be open to
 * this library); and the {@link dev.mailboxthreads.Address} of a local thread that is not
 * published. An address travels as MessagePack extension type 1 holding an array of its endpoint
 * strings ({@link Addresses}), and decodes to an address usable at once with {@code send}.
 *
 * <h2>What is received</h2>
 *
 * Decoding builds only the JDK types below, never a class named by the sender, so there is
 * nothing to allow and nothing to exploit:
 *
 * <table class="striped">
 *   <caption>MessagePack types and the Java values they decode to</caption>
 *   <thead><tr><th>MessagePack</th><th>Java</th></tr></thead>
 *   <tbody>
 *   <tr><td>nil</td><td>{@code null} (a nil message, at the top, is refused)</td></tr>
 *   <tr><td>bool</td><td>{@code Boolean}</td></tr>
 *   <tr><td>int</td><td>{@code Long}; a uint 64 above {@code Long.MAX_VALUE} as {@code
 *       BigInteger}</td></tr>
 *   <tr><td>float 32, float 64</td><td>{@code Double}</td></tr>
 *   <tr><td>str</td><td>{@code String}</td></tr>
 *   <tr><td>bin</td><td>{@code byte[]}</td></tr>
 *   <tr><td>array</td><td>{@code ArrayList<Object>} (modifiable, may hold {@code null})</td></tr>
 *   <tr><td>map</td><td>{@code LinkedHashMap<Object, Object>} in the order received (modifiable);
 *       keys as decoded above, so a map with str keys, such as an encoded record, is a {@code
 *       Map<String, Object>}</td></tr>
 *   <tr><td>timestamp extension (type -1)</td><td>{@code java.time.Instant}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>So a message does not come back as the class it was sent as: an {@code Integer} comes back
 * as a {@code Long}, a record as a map, an enum as its name, a {@code Set} as a list.
 *
 * <p>Anything else is dropped and counted as {@link DropReason#UNDECODABLE} ({@link
 * CodecException}), never another exception: bytes that are not MessagePack, a payload that is
 * empty, holds more than one value or a nil, a string that is not valid UTF-8, a map key that is
 * nil, bin, an array, a map or an extension, a map with a key twice, an extension type other than
 * -1 and 1, an extension type 1 that is not an array of 1 to 255 valid endpoints, and nesting deeper than {@link #maxDepth()}. A
 * length or count in the payload is checked against the bytes actually there before anything is
 * allocated.
 *
 * <h2>JVM flags</h2>
 *
 * None. msgpack-core would use {@code sun.misc.Unsafe}, which prints a warning on JDK 24 and
 * later; when this class is loaded it sets msgpack-core's system property {@code
 * msgpack.universal-buffer=true} (unless the property is already set), which selects
 * msgpack-core's portable buffers, so no warning is printed. Set it to {@code false} yourself,
 * before this class is loaded, to keep msgpack-core's Unsafe buffers.
 *
 * <p><b>Thread safety:</b> immutable; {@code encode} and {@code decode} may be called from any
 * number of threads at once.
 *
 * <p><b>Memory consistency effects:</b> {@code encode} reads the message in the calling thread,
 * so it sees what that thread wrote before; a message that another thread changes meanwhile may
 * be encoded half-changed (a collection that changes size is refused). The decoded value is a new
 * graph that shares nothing with anyone.
 */
public final class MsgpackCodec implements Codec {

  /** The default {@link #maxDepth()}. */
  public static final int DEFAULT_MAX_DEPTH = 1000;

  private static final int ID = 2;

  private static final MsgpackCodec DEFAULTS = new MsgpackCodec(DEFAULT_MAX_DEPTH);

  private final int maxDepth;

  private MsgpackCodec(int maxDepth) {
    this.maxDepth = maxDepth;
  }

  /**
   * The shared codec with the default {@link #maxDepth()}.
   *
   * @return the shared instance
   */
  public static MsgpackCodec defaults() {
    return DEFAULTS;
  }

  /**
   * A codec that allows at most {@code maxDepth} levels of nesting, counted in arrays and maps
   * (records, maps, collections and arrays) from the message inward: a message that is a flat
   * list has depth 1. Deeper messages are refused on encoding ({@link
   * UnencodableMessageException}) and dropped on decoding ({@link DropReason#UNDECODABLE}). Use
   * the same value on both sides.
   *
   * @param maxDepth at least 1
   * @return a codec with that limit
   * @throws IllegalArgumentException if {@code maxDepth < 1}
   */
  public static MsgpackCodec withMaxDepth(int maxDepth) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth < 1: " + maxDepth);
    }
    return new MsgpackCodec(maxDepth);
  }

  /**
   * The deepest nesting this codec encodes and decodes.
   *
   * @return the limit, {@value #DEFAULT_MAX_DEPTH} by default
   */
  public int maxDepth() {
    return maxDepth;
  }

  /**
   * The wire id of this codec, {@code 2}.
   *
   * @return 2
   */
  @Override
  public int id() {
    return ID;
  }

  /**
   * Encodes {@code message} as one MessagePack value.
   *
   * @param message the message, not null
   * @param headroom bytes to leave free (zero) at the start of the array, 0 or more
   * @return a new array: {@code headroom} zero bytes, then the payload
   * @throws UnencodableMessageException if the message, or something in it, cannot be encoded
   *     (see the class description); the message gives the path to the value and what to do
   * @throws IllegalArgumentException if {@code headroom} is negative
   */
  @Override
  public byte[] encode(Object message, int headroom) {
    Objects.requireNonNull(message, "message");
    if (headroom < 0) {
      throw new IllegalArgumentException("headroom < 0: " + headroom);
    }
    return MsgpackValues.encode(message, headroom, maxDepth);
  }

  /**
   * Decodes the payload in {@code frame[offset, offset + length)}, which must hold exactly one
   * MessagePack value.
   *
   * @param frame the received frame
   * @param offset where the payload starts
   * @param length the payload's length
   * @return the message, not null
   * @throws CodecException with {@link DropReason#UNDECODABLE} for anything wrong with the bytes
   * @throws IndexOutOfBoundsException if {@code offset} and {@code length} do not lie in {@code
   *     frame}
   */
  @Override
  public Object decode(byte[] frame, int offset, int length) {
    Objects.requireNonNull(frame, "frame");
    return MsgpackValues.decode(frame, offset, length, maxDepth);
  }

  /**
   * Describes this codec.
   *
   * @return for example {@code MsgpackCodec[id=2, maxDepth=1000]}
   */
  @Override
  public String toString() {
    return "MsgpackCodec[id=" + ID + ", maxDepth=" + maxDepth + "]";
  }
}
