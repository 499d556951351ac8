package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.remote.Addresses;
import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.io.IOException;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.msgpack.core.ExtensionTypeHeader;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageSizeException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * The engine behind {@code MsgpackCodec}: Java values to MessagePack and back with msgpack-core.
 * Not part of the API; {@code MsgpackCodec} documents the mapping.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread, concurrently: each call
 * has its own packer or unpacker; the only shared state is the {@link ClassValue} of record
 * accessors, which is thread-safe.
 *
 * <h2>Implementation notes</h2>
 *
 * <ul>
 *   <li>msgpack-core picks its buffer implementation once, when {@code MessageBuffer} is
 *       initialized: by default one on {@code sun.misc.Unsafe}, whose first use prints a
 *       "terminally deprecated method" warning on JDK 24 and later and will fail on a later JDK.
 *       Its system property {@code msgpack.universal-buffer=true} selects the portable
 *       implementation on {@code ByteBuffer}; this class sets it, unless it is already set,
 *       before any msgpack-core buffer exists.
 *   <li>Decoding never allocates by a length read from the wire before checking it against the
 *       bytes left in the payload: an array or map header claiming more elements than there are
 *       bytes, or a string, binary or extension longer than the rest, is refused at once.
 *   <li>Encoding errors are built on the way back up the recursion: {@link Refused} collects the
 *       path to the offending value ({@code $.items[3].id}) only when something fails, so the
 *       happy path allocates nothing for it.
 * </ul>
 */
public final class MsgpackValues {
  /** The MessagePack timestamp extension type (the spec's predefined type -1). */
  public static final byte EXT_TIMESTAMP = -1;
  /**
   * {@link Address} values: data is an array of endpoint strings, the last of which may be a
   * CURVE key entry {@code curve:<key>} (docs/wire-format.md).
   */
  public static final byte EXT_ADDRESS = 1;

  private static final String UNIVERSAL_BUFFER = "msgpack.universal-buffer";

  static {
    // Must run before msgpack-core's MessageBuffer class is initialized; see the class notes.
    if (System.getProperty(UNIVERSAL_BUFFER) == null) {
      System.setProperty(UNIVERSAL_BUFFER, "true");
    }
  }

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);

  private static final ClassValue<RecordAccess> RECORDS = new ClassValue<>() {
    @Override
    protected RecordAccess computeValue(Class<?> type) {
      return RecordAccess.of(type);
    }
  };

  private MsgpackValues() {}

  // ---------------------------------------------------------------------------------------------
  // encoding

  /**
   * Encodes {@code message} after {@code headroom} zero bytes.
   *
   * @param message the message, not null
   * @param headroom bytes to leave free at the start
   * @param maxDepth deepest nesting allowed, counted in containers from the message inward
   * @return a new array: headroom, then one MessagePack value
   * @throws UnencodableMessageException naming the offending value's class and path
   */
  public static byte[] encode(Object message, int headroom, int maxDepth) {
    if (message instanceof String s) {
      try {
        return encodeString(s, headroom);
      } catch (Refused e) {
        throw new UnencodableMessageException(
            "MsgpackCodec cannot encode the message: at " + e.path() + ", " + e.getMessage(),
            null);
      }
    }
    try (MessageBufferPacker packer = PACKER.newBufferPacker()) {
      if (headroom > 0) {
        packer.writePayload(new byte[headroom]);
      }
      pack(packer, message, 0, maxDepth);
      packer.flush();
      return packer.toByteArray();
    } catch (Refused e) {
      throw new UnencodableMessageException(
          "MsgpackCodec cannot encode the message: at " + e.path() + ", " + e.getMessage(), null);
    } catch (StackOverflowError e) {
      throw new UnencodableMessageException(
          "MsgpackCodec cannot encode the message: it is nested too deeply for this thread's"
              + " stack; flatten it or lower the nesting", null);
    } catch (IOException e) {
      // a buffer packer writes to memory and never fails with I/O
      throw new IllegalStateException("MessagePack packer failed in memory", e);
    }
  }

  private static void pack(MessageBufferPacker p, Object value, int depth, int maxDepth)
      throws IOException {
    switch (value) {
      case null -> p.packNil();
      case String s -> packString(p, s);
      case Boolean b -> p.packBoolean(b);
      case Integer i -> p.packInt(i);
      case Long l -> p.packLong(l);
      case Short s -> p.packShort(s);
      case Byte b -> p.packByte(b);
      case Double d -> p.packDouble(d);
      case Float f -> p.packFloat(f);
      case BigInteger big -> packBigInteger(p, big);
      case Character c -> packString(p, c.toString());
      case byte[] bytes -> {
        p.packBinaryHeader(bytes.length);
        p.writePayload(bytes);
      }
      case Instant instant -> p.packTimestamp(instant);
      case Address a -> packAddress(p, a);
      case Enum<?> e -> packString(p, e.name());
      default -> packContainer(p, value, depth, maxDepth);
    }
  }

  private static void packContainer(MessageBufferPacker p, Object value, int depth, int maxDepth)
      throws IOException {
    if (depth >= maxDepth) {
      throw new Refused("the message is nested deeper than " + maxDepth + " levels (does it"
          + " contain itself?); MessagePack has no references, so cycles cannot be sent");
    }
    int inner = depth + 1;
    switch (value) {
      case Record r -> packRecord(p, r, inner, maxDepth);
      case Map<?, ?> map -> packMap(p, map, inner, maxDepth);
      case Collection<?> c -> {
        int size = c.size();
        p.packArrayHeader(size);
        int i = 0;
        for (Object element : c) {
          if (i == size) {
            throw new Refused("the " + c.getClass().getName() + " grew while being encoded");
          }
          packElement(p, element, i++, inner, maxDepth);
        }
        if (i != size) {
          throw new Refused("the " + c.getClass().getName() + " shrank while being encoded");
        }
      }
      case Object[] array -> {
        p.packArrayHeader(array.length);
        for (int i = 0; i < array.length; i++) {
          packElement(p, array[i], i, inner, maxDepth);
        }
      }
      case int[] a -> {
        p.packArrayHeader(a.length);
        for (int v : a) {
          p.packInt(v);
        }
      }
      case long[] a -> {
        p.packArrayHeader(a.length);
        for (long v : a) {
          p.packLong(v);
        }
      }
      case short[] a -> {
        p.packArrayHeader(a.length);
        for (short v : a) {
          p.packShort(v);
        }
      }
      case double[] a -> {
        p.packArrayHeader(a.length);
        for (double v : a) {
          p.packDouble(v);
        }
      }
      case float[] a -> {
        p.packArrayHeader(a.length);
        for (float v : a) {
          p.packFloat(v);
        }
      }
      case boolean[] a -> {
        p.packArrayHeader(a.length);
        for (boolean v : a) {
          p.packBoolean(v);
        }
      }
      case char[] a -> throw new Refused("a char[]: send it as a String");
      default -> throw new Refused("a " + value.getClass().getName() + ": the interop codec"
          + " carries null, Boolean, Byte, Short, Integer, Long, BigInteger (64-bit range),"
          + " Float, Double, String, Character, byte[], Instant, enums, records, Maps,"
          + " Collections and arrays; convert it to one of those (e.g. a record or a String)");
    }
  }

  private static void packElement(
      MessageBufferPacker p, Object element, int index, int depth, int maxDepth)
      throws IOException {
    try {
      pack(p, element, depth, maxDepth);
    } catch (Refused e) {
      throw e.under("[" + index + "]");
    }
  }

  private static void packRecord(MessageBufferPacker p, Record r, int depth, int maxDepth)
      throws IOException {
    RecordAccess access = RECORDS.get(r.getClass());
    if (access.problem != null) {
      throw new Refused("a " + r.getClass().getName() + ": " + access.problem);
    }
    p.packMapHeader(access.names.length);
    for (int i = 0; i < access.names.length; i++) {
      packString(p, access.names[i]);
      Object component;
      try {
        component = access.accessors[i].invoke(r);
      } catch (InvocationTargetException e) {
        throw new Refused("the accessor " + access.names[i] + "() of " + r.getClass().getName()
            + " threw " + e.getCause());
      } catch (IllegalAccessException e) {
        throw new Refused("the accessor " + access.names[i] + "() of " + r.getClass().getName()
            + " cannot be called: " + e.getMessage());
      }
      try {
        pack(p, component, depth, maxDepth);
      } catch (Refused e) {
        throw e.under("." + access.names[i]);
      }
    }
  }

  private static void packMap(MessageBufferPacker p, Map<?, ?> map, int depth, int maxDepth)
      throws IOException {
    int size = map.size();
    p.packMapHeader(size);
    Set<Object> seen = null; // wire keys so far, once a key that is not a String appears
    int i = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (i++ == size) {
        throw new Refused("the " + map.getClass().getName() + " grew while being encoded");
      }
      Object key = entry.getKey();
      String label = String.valueOf(key);
      Object wireKey = wireKey(key, label);
      if (seen == null && !(key instanceof String)) {
        seen = new HashSet<>();
        for (Object earlier : map.keySet()) {
          if (earlier == key) {
            break;
          }
          seen.add(earlier); // all Strings so far: their wire key is themselves
        }
      }
      if (seen != null && !seen.add(wireKey)) {
        throw new Refused("the " + map.getClass().getName() + " has two keys that are the same"
            + " MessagePack value " + wireKey + " (e.g. 1 and 1L, or an enum and its name);"
            + " a receiver could not tell them apart");
      }
      pack(p, key, depth, maxDepth);
      try {
        pack(p, entry.getValue(), depth, maxDepth);
      } catch (Refused e) {
        throw e.under("[" + quoteKey(key) + "]");
      }
    }
    if (i != size) {
      throw new Refused("the " + map.getClass().getName() + " shrank while being encoded");
    }
  }

  /** The value a map key decodes as, for the duplicate check; refuses keys that cannot be keys. */
  private static Object wireKey(Object key, String label) {
    return switch (key) {
      case String s -> s;
      case Character c -> c.toString();
      case Enum<?> e -> e.name();
      case Boolean b -> b;
      case Byte b -> b.longValue();
      case Short s -> s.longValue();
      case Integer n -> n.longValue();
      case Long n -> n;
      case BigInteger big -> big.bitLength() < 64 ? (Object) big.longValue() : big;
      case Float f -> f.doubleValue();
      case Double d -> d;
      case null -> throw new Refused("a map has a null key; the interop codec's map keys are"
          + " Strings, enums, Characters, Booleans and numbers (most languages' maps take no"
          + " nil key)");
      default -> throw new Refused("a map has a key of class " + key.getClass().getName()
          + " (" + abbreviate(label) + "); the interop codec's map keys are Strings, enums,"
          + " Characters, Booleans and numbers");
    };
  }

  private static String quoteKey(Object key) {
    return key instanceof String || key instanceof Character || key instanceof Enum<?>
        ? "\"" + abbreviate(key.toString()) + "\""
        : abbreviate(String.valueOf(key));
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }

  private static void packBigInteger(MessageBufferPacker p, BigInteger big) throws IOException {
    if (big.compareTo(LONG_MIN) < 0 || big.compareTo(UINT64_MAX) > 0) {
      throw new Refused("the BigInteger " + abbreviate(big.toString()) + " is outside"
          + " MessagePack's integers (-2^63 .. 2^64-1); send it as a String");
    }
    p.packBigInteger(big);
  }

  /**
   * Packs {@code s} as a MessagePack str. Refuses an unpaired surrogate, which UTF-8 cannot
   * carry: {@code String.getBytes} would silently turn it into '?'.
   */
  private static void packString(MessageBufferPacker p, String s) throws IOException {
    byte[] utf8 = utf8Of(s);
    p.packRawStringHeader(utf8.length);
    p.writePayload(utf8);
  }

  /**
   * msgpack-core's defaults but a first buffer of 256 bytes instead of 8 KiB, which a small
   * message paid for in full (allocated and zeroed per encode); larger messages get further
   * buffers as they grow. The bytes written are the same.
   */
  private static final MessagePack.PackerConfig PACKER =
      new MessagePack.PackerConfig().withBufferSize(256);

  /** From this length on, utf8Of checks by a round trip rather than char by char. */
  private static final int ROUND_TRIP_MIN_CHARS = 64;

  /**
   * The UTF-8 of {@code s}; refuses an unpaired surrogate, which {@code String.getBytes} would
   * silently turn into '?'. A short String is scanned char by char; a longer one is checked by
   * decoding its bytes back: only a replaced surrogate makes the round trip differ, and the
   * JDK's encoding, decoding and comparison of Strings run vectorized, where the scan visits
   * every char (4 KiB: several times faster).
   */
  static byte[] utf8Of(String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (s.length() < ROUND_TRIP_MIN_CHARS
        || !new String(utf8, StandardCharsets.UTF_8).equals(s)) {
      int bad = unpairedSurrogate(s);
      if (bad >= 0) {
        throw new Refused("a String with an unpaired surrogate (\\u"
            + Integer.toHexString(s.charAt(bad)) + " at index " + bad
            + "), which UTF-8 cannot carry");
      }
    }
    return utf8;
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1. */
  private static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * A String message as MessageBufferPacker writes it (the smallest str header: fixstr below
   * 32 bytes, then str 8, str 16, str 32; msgpack-core's defaults), written straight into an
   * array of the exact size instead of through a packer's growing buffers.
   */
  static byte[] encodeString(String s, int headroom) {
    byte[] utf8 = utf8Of(s);
    int n = utf8.length;
    int header = n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
    byte[] out = new byte[headroom + header + n];
    int at = headroom;
    if (n < 32) {
      out[at] = (byte) (0xA0 | n);
    } else if (n < 0x100) {
      out[at] = (byte) 0xD9;
      out[at + 1] = (byte) n;
    } else if (n < 0x10000) {
      out[at] = (byte) 0xDA;
      out[at + 1] = (byte) (n >>> 8);
      out[at + 2] = (byte) n;
    } else {
      out[at] = (byte) 0xDB;
      out[at + 1] = (byte) (n >>> 24);
      out[at + 2] = (byte) (n >>> 16);
      out[at + 3] = (byte) (n >>> 8);
      out[at + 4] = (byte) n;
    }
    System.arraycopy(utf8, 0, out, at + header, n);
    return out;
  }

  /**
   * An address as extension type 1 whose data is a MessagePack array of its endpoint strings
   * (docs/wire-format.md, "Addresses inside messages").
   */
  private static void packAddress(MessageBufferPacker p, Address a) throws IOException {
    List<String> endpoints;
    try {
      endpoints = Addresses.endpointsOf(a);
    } catch (UnencodableMessageException e) {
      throw new Refused("an Address that cannot travel: " + e.getMessage());
    }
    try (MessageBufferPacker inner = PACKER.newBufferPacker()) {
      inner.packArrayHeader(endpoints.size());
      for (String endpoint : endpoints) {
        packString(inner, endpoint);
      }
      byte[] data = inner.toByteArray();
      p.packExtensionTypeHeader(EXT_ADDRESS, data.length);
      p.writePayload(data);
    }
  }

  /** The address that extension type 1's {@code data} stands for; see {@link #packAddress}. */
  private static Address unpackAddress(byte[] data) throws IOException {
    List<String> endpoints = new ArrayList<>();
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(data)) {
      if (!u.hasNext() || u.getNextFormat().getValueType() != ValueType.ARRAY) {
        throw undecodable("extension type 1 (an Address) must hold an array of endpoint strings");
      }
      int n = u.unpackArrayHeader();
      if (n < 1 || n > MAX_ADDRESS_ENDPOINTS) {
        throw undecodable("an Address with " + n + " endpoints; it needs 1 to "
            + MAX_ADDRESS_ENDPOINTS);
      }
      for (int i = 0; i < n; i++) {
        if (!u.hasNext() || u.getNextFormat().getValueType() != ValueType.STRING) {
          throw undecodable("endpoint " + i + " of an Address is not a string");
        }
        endpoints.add(u.unpackString());
      }
      if (u.hasNext()) {
        throw undecodable("bytes follow the endpoint array of an Address");
      }
    }
    try {
      return Addresses.fromEndpoints(endpoints);
    } catch (RuntimeException e) {
      throw undecodable("an Address that cannot be used: " + e.getMessage());
    }
  }

  /** Most endpoints one address may have; the call envelope's limit too. */
  private static final int MAX_ADDRESS_ENDPOINTS = 255;

  /** An encoding failure on its way up; collects the path. Never escapes this class. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Deque<String> path = new ArrayDeque<>();

    Refused(String message) {
      super(message, null, false, false);
    }

    Refused under(String segment) {
      path.addFirst(segment);
      return this;
    }

    String path() {
      return "$" + String.join("", path);
    }
  }

  /** How to read a record class's components; {@code problem} says why it cannot be read. */
  private record RecordAccess(String[] names, Method[] accessors, String problem) {
    static RecordAccess of(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      String[] names = new String[components.length];
      Method[] accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        names[i] = components[i].getName();
        accessors[i] = components[i].getAccessor();
        try {
          accessors[i].setAccessible(true);
        } catch (InaccessibleObjectException | SecurityException e) {
          return new RecordAccess(null, null, "its accessors cannot be called from this library ("
              + e.getMessage() + "); open its package to this library, or make the record public"
              + " in an exported package");
        }
      }
      return new RecordAccess(names, accessors, null);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // decoding

  /**
   * Decodes exactly one MessagePack value from {@code frame[offset, offset + length)}.
   *
   * @param frame the received frame
   * @param offset where the payload starts
   * @param length its length
   * @param maxDepth deepest nesting allowed
   * @return the value, not null
   * @throws CodecException with {@link DropReason#UNDECODABLE} for anything wrong with the bytes
   */
  public static Object decode(byte[] frame, int offset, int length, int maxDepth) {
    java.util.Objects.checkFromIndexSize(offset, length, frame.length);
    String string = wholeString(frame, offset, length);
    if (string != null) {
      return string;
    }
    try (MessageUnpacker u = MessagePack.newDefaultUnpacker(frame, offset, length)) {
      if (length == 0) {
        throw undecodable("the payload is empty; it must hold one MessagePack value");
      }
      Object value = unpack(u, length, 0, maxDepth);
      if (value == null) {
        throw undecodable("the message is nil; a mailbox takes no null message");
      }
      long read = u.getTotalReadBytes();
      if (read != length) {
        throw undecodable((length - read) + " byte(s) follow the message; a payload holds"
            + " exactly one MessagePack value");
      }
      return value;
    } catch (CodecException e) {
      throw e;
    } catch (MessageSizeException e) {
      throw new CodecException(DropReason.UNDECODABLE, "a length or count of 2^31 or more is"
          + " announced, more than a Java array holds", e);
    } catch (StackOverflowError e) {
      // the cause tells a publication to retry on a bigger stack (direct receive)
      throw new CodecException(DropReason.UNDECODABLE,
          "the message is nested too deeply for the decoding thread's stack", e);
    } catch (IOException | MessagePackException | IllegalArgumentException
        | IllegalStateException | ArithmeticException | java.time.DateTimeException e) {
      throw new CodecException(DropReason.UNDECODABLE,
          "not a valid MessagePack value: " + e, e);
    }
  }

  /**
   * The message when the payload is exactly one str (fixstr, str 8 or str 16) and nothing
   * else, decoded straight from the frame; null for anything else, which the unpacker then
   * decodes or refuses with its full checks. A String is the commonest message, and a
   * MessageUnpacker (its buffers and views) cost more than the decoding itself.
   *
   * @throws CodecException if the string is not valid UTF-8, as the unpacker's path would
   */
  private static String wholeString(byte[] frame, int offset, int length) {
    if (length == 0) {
      return null;
    }
    int first = frame[offset] & 0xff;
    int header;
    int n;
    if ((first & 0xe0) == 0xa0) { // fixstr
      header = 1;
      n = first & 0x1f;
    } else if (first == 0xd9 && length >= 2) { // str 8
      header = 2;
      n = frame[offset + 1] & 0xff;
    } else if (first == 0xda && length >= 3) { // str 16
      header = 3;
      n = (frame[offset + 1] & 0xff) << 8 | (frame[offset + 2] & 0xff);
    } else {
      return null;
    }
    return header + n == length ? utf8(frame, offset + header, n) : null;
  }

  private static Object unpack(MessageUnpacker u, int length, int depth, int maxDepth)
      throws IOException {
    MessageFormat format = u.getNextFormat();
    switch (format.getValueType()) {
      case NIL -> {
        u.unpackNil();
        return null;
      }
      case BOOLEAN -> {
        return u.unpackBoolean();
      }
      case INTEGER -> {
        if (format == MessageFormat.UINT64) {
          BigInteger big = u.unpackBigInteger();
          return big.bitLength() < 64 ? (Object) big.longValue() : big;
        }
        return u.unpackLong();
      }
      case FLOAT -> {
        return u.unpackDouble();
      }
      case STRING -> {
        int n = u.unpackRawStringHeader();
        checkRemaining(u, length, n, "a string of " + n + " bytes");
        // read in place: the unpacker wraps the frame, so the reference is a view of it
        org.msgpack.core.buffer.MessageBuffer view = u.readPayloadAsReference(n);
        return utf8(view.array(), view.arrayOffset(), n);
      }
      case BINARY -> {
        int n = u.unpackBinaryHeader();
        checkRemaining(u, length, n, "a binary of " + n + " bytes");
        return u.readPayload(n);
      }
      case ARRAY -> {
        checkDepth(depth, maxDepth);
        int n = u.unpackArrayHeader();
        checkRemaining(u, length, n, "an array of " + n + " elements");
        List<Object> list = new ArrayList<>(Math.min(n, PRESIZE_MAX));
        for (int i = 0; i < n; i++) {
          list.add(unpack(u, length, depth + 1, maxDepth));
        }
        return list;
      }
      case MAP -> {
        checkDepth(depth, maxDepth);
        int n = u.unpackMapHeader();
        checkRemaining(u, length, 2L * n, "a map of " + n + " entries");
        Map<Object, Object> map = LinkedHashMap.newLinkedHashMap(Math.min(n, PRESIZE_MAX));
        for (int i = 0; i < n; i++) {
          MessageFormat keyFormat = u.getNextFormat();
          Object key = switch (keyFormat.getValueType()) {
            case BOOLEAN, INTEGER, FLOAT, STRING -> unpack(u, length, depth + 1, maxDepth);
            default -> throw undecodable("a map key is a MessagePack "
                + keyFormat.getValueType().name().toLowerCase(java.util.Locale.ROOT)
                + "; the interop codec takes only strings, integers, floats and booleans as"
                + " keys");
          };
          if (map.containsKey(key)) {
            throw undecodable("a map has the key " + abbreviate(String.valueOf(key))
                + " twice");
          }
          map.put(key, unpack(u, length, depth + 1, maxDepth));
        }
        return map;
      }
      case EXTENSION -> {
        ExtensionTypeHeader header = u.unpackExtensionTypeHeader();
        checkRemaining(u, length, header.getLength(),
            "an extension of " + header.getLength() + " bytes");
        if (header.getType() == EXT_TIMESTAMP) {
          return u.unpackTimestamp(header);
        }
        if (header.getType() == EXT_ADDRESS) {
          return unpackAddress(u.readPayload(header.getLength()));
        }
        throw undecodable("extension type " + header.getType() + " is not supported; the"
            + " interop codec decodes only the timestamp extension (-1)");
      }
      default -> throw undecodable("unknown MessagePack type " + format);
    }
  }

  /**
   * The most elements a list or map is sized for before they arrive. A count is checked against
   * the bytes left, but every enclosing container may announce as many elements as there are
   * bytes left: sized up front, 100 nested arrays in a 4 MiB payload made the decoder allocate
   * 1.7 GB before it found the first element missing. Beyond this, the list grows as elements
   * really arrive, so what is allocated stays proportional to what was read.
   */
  private static final int PRESIZE_MAX = 1024;

  private static void checkDepth(int depth, int maxDepth) {
    if (depth >= maxDepth) {
      throw undecodable("the message is nested deeper than " + maxDepth + " levels");
    }
  }

  /** Each element takes at least one byte: refuse a count or length the payload cannot hold. */
  private static void checkRemaining(MessageUnpacker u, int length, long needed, String what) {
    long remaining = length - u.getTotalReadBytes();
    if (needed > remaining) {
      throw undecodable(what + " is announced, but only " + remaining + " byte(s) are left");
    }
  }

  /**
   * Decodes UTF-8, refusing malformed input. {@code new String} replaces every malformed
   * sequence by U+FFFD, and is much faster than a CharsetDecoder (no CharBuffer, vectorized for
   * ASCII); a result without U+FFFD therefore came from valid UTF-8. A result with one (a real
   * U+FFFD in the text, or a replacement) is decided by the reporting decoder.
   */
  private static String utf8(byte[] bytes, int offset, int length) {
    String fast = new String(bytes, offset, length, StandardCharsets.UTF_8);
    if (fast.indexOf('\uFFFD') < 0) {
      return fast;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CodecException(DropReason.UNDECODABLE,
          "a MessagePack string is not valid UTF-8: " + e, e);
    }
  }

  private static CodecException undecodable(String why) {
    return new CodecException(DropReason.UNDECODABLE, why, null);
  }
}
