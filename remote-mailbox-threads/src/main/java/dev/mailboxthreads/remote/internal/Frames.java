package dev.mailboxthreads.remote.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frame header and the call envelope in its metadata section; docs/wire-format.md draws
 * both.
 *
 * <pre>
 *  0      1      2         3          4        5
 *  +------+------+---------+----------+--------+---------------------------+
 *  | 'm'  | 'b'  | version | codec id | flags  | [metadata] payload ...    |
 *  | 0x6D | 0x62 |  0x01   |  0..255  |        |                           |
 *  +------+------+---------+----------+--------+---------------------------+
 *  flags bit 0: a metadata section follows the header:
 *               u32 big-endian length L, then L bytes, then the payload.
 *  flags = 0x02 exactly, codec id 0: a batch. Instead of a payload, one or more
 *               { u32 big-endian length N, then N bytes: a complete frame with its own
 *               header, which is not a batch }, up to the end of the frame.
 *  other flag bits: reserved, must be 0.
 *
 *  metadata (the call envelope):
 *  +------+--------------------+----------------------------------------------+
 *  | kind | correlation id     | kind 1 only: n (u8, 1..255), then n times     |
 *  | u8   | 8 bytes big-endian | u16 big-endian length, UTF-8 reply endpoint  |
 *  +------+--------------------+----------------------------------------------+
 *  kind 1: a request; kind 2: a reply. Bytes after these fields are ignored.
 * </pre>
 */
public final class Frames {
  /** Bytes before the payload when there is no metadata. */
  public static final int HEADER_BYTES = 5;

  static final byte MAGIC_0 = 0x6D;
  static final byte MAGIC_1 = 0x62;
  static final byte VERSION = 1;
  static final int FLAG_METADATA = 1;
  /** The flags of a batch frame (see {@link #batch}); nothing else may be set with it. */
  static final int FLAG_BATCH = 2;
  static final byte KIND_REQUEST = 1;
  static final byte KIND_REPLY = 2;
  /** Longest reply endpoint, in UTF-8 bytes. */
  static final int MAX_ENDPOINT_BYTES = 0xFFFF;

  private Frames() {}

  /**
   * Writes the header into the first {@link #HEADER_BYTES} bytes of {@code frame}.
   *
   * @param frame at least HEADER_BYTES long
   * @param codecId 0..255
   */
  public static void writeHeader(byte[] frame, int codecId) {
    frame[0] = MAGIC_0;
    frame[1] = MAGIC_1;
    frame[2] = VERSION;
    frame[3] = (byte) codecId;
    frame[4] = 0;
  }

  /**
   * Packs {@code n} complete frames into one batch frame: a header with codec id 0 and flags
   * {@code 0x02}, then for each frame its length (u32 big-endian) and the frame itself.
   *
   * @param frames the frames, each with its own header and none a batch
   * @param n how many of {@code frames}, from the first, to pack; 1 or more
   * @param bodyBytes the sum over them of 4 + their length
   * @return the batch frame
   */
  public static byte[] batch(byte[][] frames, int n, int bodyBytes) {
    byte[] out = new byte[HEADER_BYTES + bodyBytes];
    writeHeader(out, 0);
    out[4] = FLAG_BATCH;
    int p = HEADER_BYTES;
    for (int i = 0; i < n; i++) {
      byte[] f = frames[i];
      int len = f.length;
      out[p] = (byte) (len >>> 24);
      out[p + 1] = (byte) (len >>> 16);
      out[p + 2] = (byte) (len >>> 8);
      out[p + 3] = (byte) len;
      System.arraycopy(f, 0, out, p + 4, len);
      p += 4 + len;
    }
    return out;
  }

  /**
   * Bytes before the UTF-8 of a String in a {@code JavaCodec} frame without metadata: the
   * header and the String tag.
   */
  public static final int STRING_PREFIX_BYTES = HEADER_BYTES + 1;

  /**
   * Packs {@code n} messages into one batch frame, as {@link #batch(byte[][], int, int)} does;
   * an entry whose {@code strings} flag is set is not a frame but the UTF-8 bytes of a String,
   * written as {@code JavaCodec} writes it (header, String tag, the bytes) with {@code
   * stringCodecId}, straight into the batch.
   *
   * @param entries frames, each with its own header and none a batch, or a String's UTF-8
   * @param strings which entries are a String's UTF-8
   * @param n how many entries, from the first, to pack; 1 or more
   * @param bodyBytes the sum over them of 4 + the length of their frame
   * @param stringCodecId the codec id of the Strings' frames, a {@code JavaCodec}'s
   * @return the batch frame
   */
  public static byte[] batch(byte[][] entries, boolean[] strings, int n, int bodyBytes,
      int stringCodecId) {
    byte[] out = new byte[HEADER_BYTES + bodyBytes];
    writeHeader(out, 0);
    out[4] = FLAG_BATCH;
    int p = HEADER_BYTES;
    for (int i = 0; i < n; i++) {
      byte[] e = entries[i];
      int at = p + 4;
      if (strings[i]) {
        writeStringPrefix(out, at, stringCodecId);
        at += STRING_PREFIX_BYTES;
      }
      int len = at + e.length - (p + 4);
      out[p] = (byte) (len >>> 24);
      out[p + 1] = (byte) (len >>> 16);
      out[p + 2] = (byte) (len >>> 8);
      out[p + 3] = (byte) len;
      System.arraycopy(e, 0, out, at, e.length);
      p += 4 + len;
    }
    return out;
  }

  /**
   * The {@code JavaCodec} frame of a String without metadata: header, String tag, UTF-8.
   *
   * @param utf8 the String's UTF-8 bytes
   * @param codecId the codec id, a {@code JavaCodec}'s
   * @return the frame
   */
  public static byte[] stringFrame(byte[] utf8, int codecId) {
    byte[] out = new byte[STRING_PREFIX_BYTES + utf8.length];
    writeStringPrefix(out, 0, codecId);
    System.arraycopy(utf8, 0, out, STRING_PREFIX_BYTES, utf8.length);
    return out;
  }

  private static void writeStringPrefix(byte[] out, int at, int codecId) {
    out[at] = MAGIC_0;
    out[at + 1] = MAGIC_1;
    out[at + 2] = VERSION;
    out[at + 3] = (byte) codecId;
    out[at + 4] = 0;
    out[at + 5] = ForyCodecSupport.TAG_STRING;
  }

  /**
   * Whether {@code frame} has the header of a batch: magic, version, codec id 0, flags 0x02.
   * Its body is checked while it is unpacked.
   *
   * @param frame a received frame
   * @return true for a batch header
   */
  public static boolean isBatch(byte[] frame) {
    return isBatch(frame, 0, frame.length);
  }

  /**
   * Whether the frame in {@code buf[start, start + length)} has the header of a batch.
   *
   * @param buf holds the frame, e.g. a batch holding it
   * @param start where the frame starts
   * @param length the frame's length
   * @return true for a batch header
   */
  public static boolean isBatch(byte[] buf, int start, int length) {
    return length >= HEADER_BYTES && buf[start] == MAGIC_0 && buf[start + 1] == MAGIC_1
        && buf[start + 2] == VERSION && buf[start + 3] == 0 && buf[start + 4] == FLAG_BATCH;
  }

  /**
   * Bytes before the payload for a frame with {@code metadata}.
   *
   * @param metadata the metadata section's content, or null for none
   * @return the header's length, plus the section's when there is one
   */
  public static int headroom(byte[] metadata) {
    return metadata == null ? HEADER_BYTES : HEADER_BYTES + 4 + metadata.length;
  }

  /**
   * Writes the header and, if {@code metadata} is not null, the metadata section into the first
   * {@link #headroom(byte[])} bytes of {@code frame}.
   *
   * @param frame at least headroom(metadata) long
   * @param codecId 0..255
   * @param metadata the section's content, or null
   */
  public static void writeHeader(byte[] frame, int codecId, byte[] metadata) {
    writeHeader(frame, codecId);
    if (metadata == null) {
      return;
    }
    frame[4] = FLAG_METADATA;
    int n = metadata.length;
    frame[5] = (byte) (n >>> 24);
    frame[6] = (byte) (n >>> 16);
    frame[7] = (byte) (n >>> 8);
    frame[8] = (byte) n;
    System.arraycopy(metadata, 0, frame, HEADER_BYTES + 4, n);
  }

  /**
   * The metadata of a request.
   *
   * @param correlationId the call's id
   * @param replyTo 1 to 255 entries (endpoints, then a CURVE key entry if any), each at most
   *     65,535 UTF-8 bytes
   * @return the section's content
   * @throws IllegalArgumentException if there are no endpoints, too many, or one is too long
   */
  public static byte[] requestMetadata(long correlationId, List<String> replyTo) {
    if (replyTo.isEmpty() || replyTo.size() > 255) {
      throw new IllegalArgumentException(
          "a reply address needs 1 to 255 endpoints, not " + replyTo.size() + ": " + replyTo);
    }
    List<byte[]> encoded = new ArrayList<>(replyTo.size());
    int size = 1 + 8 + 1;
    for (String endpoint : replyTo) {
      byte[] utf8 = endpoint.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > MAX_ENDPOINT_BYTES) {
        throw new IllegalArgumentException("a reply endpoint of " + utf8.length
            + " bytes is longer than the wire format's " + MAX_ENDPOINT_BYTES);
      }
      encoded.add(utf8);
      size += 2 + utf8.length;
    }
    byte[] m = new byte[size];
    m[0] = KIND_REQUEST;
    writeLong(m, 1, correlationId);
    m[9] = (byte) replyTo.size();
    int at = 10;
    for (byte[] e : encoded) {
      m[at] = (byte) (e.length >>> 8);
      m[at + 1] = (byte) e.length;
      System.arraycopy(e, 0, m, at + 2, e.length);
      at += 2 + e.length;
    }
    return m;
  }

  /**
   * The metadata of a reply.
   *
   * @param correlationId the id of the call answered
   * @return the section's content
   */
  public static byte[] replyMetadata(long correlationId) {
    byte[] m = new byte[9];
    m[0] = KIND_REPLY;
    writeLong(m, 1, correlationId);
    return m;
  }

  /**
   * The call envelope of a frame whose header is well formed ({@link #payloadOffset} &gt;= 0).
   *
   * @param frame a received frame
   * @return the envelope, or null if the frame has no metadata section or an empty one
   * @throws IllegalArgumentException if the section is not a valid envelope; the message says
   *     what is wrong
   */
  public static Envelope envelope(byte[] frame) {
    return envelope(frame, 0);
  }

  /**
   * The call envelope of the frame that starts at {@code frame[f]}, whose header is well
   * formed ({@link #payloadOffset(byte[], int, int)} &gt;= 0).
   *
   * @param frame holds the frame, e.g. a batch holding it
   * @param f where the frame starts
   * @return the envelope, or null if the frame has no metadata section or an empty one
   * @throws IllegalArgumentException if the section is not a valid envelope; the message says
   *     what is wrong
   */
  public static Envelope envelope(byte[] frame, int f) {
    if ((frame[f + 4] & FLAG_METADATA) == 0) {
      return null;
    }
    int length = (int) (((frame[f + 5] & 0xFFL) << 24) | ((frame[f + 6] & 0xFF) << 16)
        | ((frame[f + 7] & 0xFF) << 8) | (frame[f + 8] & 0xFF));
    int start = f + HEADER_BYTES + 4;
    int end = start + length; // payloadOffset checked it lies in the frame
    if (length == 0) {
      return null;
    }
    if (length < 9) {
      throw new IllegalArgumentException("a metadata section of " + length
          + " bytes is too short for a call envelope (kind and correlation id: 9 bytes)");
    }
    byte kind = frame[start];
    long id = readLong(frame, start + 1);
    if (kind == KIND_REPLY) {
      return new Envelope(false, id, List.of());
    }
    if (kind != KIND_REQUEST) {
      throw new IllegalArgumentException("unknown call envelope kind " + (kind & 0xFF)
          + " (1: request, 2: reply)");
    }
    int at = start + 9;
    if (at >= end || frame[at] == 0) {
      throw new IllegalArgumentException("a request envelope without reply endpoints");
    }
    int n = frame[at++] & 0xFF;
    String[] endpoints = new String[n];
    for (int i = 0; i < n; i++) {
      if (at + 2 > end) {
        throw new IllegalArgumentException("a request envelope cut short in reply endpoint "
            + (i + 1) + " of " + n);
      }
      int len = ((frame[at] & 0xFF) << 8) | (frame[at + 1] & 0xFF);
      at += 2;
      if (at + len > end) {
        throw new IllegalArgumentException("reply endpoint " + (i + 1) + " of " + n
            + " claims " + len + " bytes, past the end of the metadata section");
      }
      endpoints[i] = new String(frame, at, len, StandardCharsets.UTF_8);
      at += len;
    }
    return new Envelope(true, id, Endpoints.checkAddress(endpoints));
  }

  private static void writeLong(byte[] b, int at, long v) {
    for (int i = 7; i >= 0; i--) {
      b[at + i] = (byte) v;
      v >>>= 8;
    }
  }

  private static long readLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }

  /**
   * Where the payload of {@code frame} starts, or -1 if the header is malformed.
   *
   * @param frame a received frame
   * @return the payload offset, or -1
   */
  public static int payloadOffset(byte[] frame) {
    return payloadOffset(frame, 0, frame.length);
  }

  /**
   * Where the payload of the frame in {@code buf[start, start + length)} starts, as an index
   * into {@code buf}, or -1 if the header is malformed.
   *
   * @param buf holds the frame, e.g. a batch holding it
   * @param start where the frame starts
   * @param length the frame's length
   * @return the payload's index in {@code buf}, or -1
   */
  public static int payloadOffset(byte[] buf, int start, int length) {
    if (length < HEADER_BYTES
        || buf[start] != MAGIC_0
        || buf[start + 1] != MAGIC_1
        || buf[start + 2] != VERSION) {
      return -1;
    }
    int flags = buf[start + 4] & 0xFF;
    if ((flags & ~FLAG_METADATA) != 0) {
      return -1;
    }
    if ((flags & FLAG_METADATA) == 0) {
      return start + HEADER_BYTES;
    }
    if (length < HEADER_BYTES + 4) {
      return -1;
    }
    long metadata = ((buf[start + 5] & 0xFFL) << 24) | ((buf[start + 6] & 0xFF) << 16)
        | ((buf[start + 7] & 0xFF) << 8) | (buf[start + 8] & 0xFF);
    long offset = HEADER_BYTES + 4 + metadata;
    return offset > length ? -1 : start + (int) offset;
  }

  /**
   * The codec id of a frame whose header is well formed.
   *
   * @param frame the frame
   * @return 0..255
   */
  public static int codecId(byte[] frame) {
    return codecId(frame, 0);
  }

  /**
   * The codec id of the frame that starts at {@code buf[start]}, whose header is well formed.
   *
   * @param buf holds the frame
   * @param start where the frame starts
   * @return 0..255
   */
  public static int codecId(byte[] buf, int start) {
    return buf[start + 3] & 0xFF;
  }
}
