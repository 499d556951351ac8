package dev.mailboxthreads.remote;

import java.nio.charset.StandardCharsets;

/**
 * Codecs and frame builders for the remote module's tests, so that a test controls what fails
 * on encoding and decoding without depending on the default codec (which is being replaced).
 */
final class TestCodecs {
  /** The wire id of {@link #marking()}; outside the ids 0..15 reserved for the library. */
  static final int MARKING_ID = 200;

  /** A payload starting with this makes {@link #marking()} throw CodecException(UNDECODABLE). */
  static final String UNDECODABLE = "!undecodable";
  /** ... CodecException(FORBIDDEN_CLASS). */
  static final String FORBIDDEN = "!forbidden";
  /** ... return null from decode. */
  static final String DECODES_TO_NULL = "!null";
  /** ... throw an IllegalStateException from decode (a codec bug, not a CodecException). */
  static final String DECODE_CRASH = "!crash";
  /** ... throw a StackOverflowError from decode (a deeply nested payload). */
  static final String STACK_OVERFLOW = "!stackoverflow";
  /**
   * ... throw an OutOfMemoryError from decode, as a codec does when a crafted length field makes
   * it ask for an array larger than the VM allows ("Requested array size exceeds VM limit"):
   * the allocation fails and nothing is left behind.
   */
  static final String OUT_OF_MEMORY = "!oom";
  /** A String message equal to this makes {@link #marking()}'s encode throw a plain exception. */
  static final String ENCODE_CRASH = "!encode-crash";

  private TestCodecs() {}

  /**
   * A codec of id {@link #MARKING_ID} that encodes Strings as UTF-8 and fails on decoding as the
   * payload's marker prefix says; any other payload decodes to its String.
   */
  static Codec marking() {
    return Marking.INSTANCE;
  }

  /** A frame with a valid header for {@code codecId} and {@code payload} as UTF-8. */
  static byte[] frame(int codecId, String payload) {
    return frame(0x6D, 0x62, 1, codecId, 0, payload.getBytes(StandardCharsets.UTF_8));
  }

  /** A frame with the given header bytes, then {@code payload}. */
  static byte[] frame(int magic0, int magic1, int version, int codecId, int flags, byte[] payload) {
    byte[] f = new byte[5 + payload.length];
    f[0] = (byte) magic0;
    f[1] = (byte) magic1;
    f[2] = (byte) version;
    f[3] = (byte) codecId;
    f[4] = (byte) flags;
    System.arraycopy(payload, 0, f, 5, payload.length);
    return f;
  }

  /** A frame with the metadata flag: header, u32 big-endian {@code declaredLength}, then bytes. */
  static byte[] frameWithMetadata(int codecId, long declaredLength, byte[] metadata, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    byte[] f = new byte[5 + 4 + metadata.length + p.length];
    f[0] = 0x6D;
    f[1] = 0x62;
    f[2] = 1;
    f[3] = (byte) codecId;
    f[4] = 1;
    f[5] = (byte) (declaredLength >>> 24);
    f[6] = (byte) (declaredLength >>> 16);
    f[7] = (byte) (declaredLength >>> 8);
    f[8] = (byte) declaredLength;
    System.arraycopy(metadata, 0, f, 9, metadata.length);
    System.arraycopy(p, 0, f, 9 + metadata.length, p.length);
    return f;
  }

  private static final class Marking implements Codec {
    static final Marking INSTANCE = new Marking();

    @Override
    public int id() {
      return MARKING_ID;
    }

    @Override
    public byte[] encode(Object message, int headroom) {
      if (!(message instanceof String s)) {
        throw new UnencodableMessageException(
            "TestCodecs.marking encodes Strings only, not a " + message.getClass().getName(), null);
      }
      if (s.equals(ENCODE_CRASH)) {
        throw new IllegalStateException("encode crashed on purpose");
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[headroom + b.length];
      System.arraycopy(b, 0, out, headroom, b.length);
      return out;
    }

    @Override
    public Object decode(byte[] frame, int offset, int length) {
      String s = new String(frame, offset, length, StandardCharsets.UTF_8);
      if (s.startsWith(UNDECODABLE)) {
        throw new CodecException(DropReason.UNDECODABLE, "marked undecodable", null);
      }
      if (s.startsWith(FORBIDDEN)) {
        throw new CodecException(DropReason.FORBIDDEN_CLASS, "marked forbidden", null);
      }
      if (s.startsWith(DECODES_TO_NULL)) {
        return null;
      }
      if (s.startsWith(DECODE_CRASH)) {
        throw new IllegalStateException("decode crashed on purpose");
      }
      if (s.startsWith(STACK_OVERFLOW)) {
        throw new StackOverflowError("decode overflowed on purpose");
      }
      if (s.startsWith(OUT_OF_MEMORY)) {
        throw new OutOfMemoryError("Requested array size exceeds VM limit (on purpose)");
      }
      return s;
    }

    @Override
    public String toString() {
      return "TestCodecs.marking";
    }
  }
}
