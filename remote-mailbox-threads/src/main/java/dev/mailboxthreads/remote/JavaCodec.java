package dev.mailboxthreads.remote;

import java.nio.charset.StandardCharsets;

/**
 * PLACEHOLDER, replaced by the Fory-based codec being written: encodes Strings only.
 */
public final class JavaCodec implements Codec {
  private static final JavaCodec DEFAULTS = new JavaCodec();

  private JavaCodec() {}

  /**
   * The default.
   *
   * @return the default codec
   */
  public static JavaCodec defaults() {
    return DEFAULTS;
  }

  @Override
  public int id() {
    return 1;
  }

  @Override
  public byte[] encode(Object message, int headroom) {
    if (!(message instanceof String s)) {
      throw new UnencodableMessageException("placeholder codec encodes Strings only", null);
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[headroom + b.length];
    System.arraycopy(b, 0, out, headroom, b.length);
    return out;
  }

  @Override
  public Object decode(byte[] frame, int offset, int length) {
    return new String(frame, offset, length, StandardCharsets.UTF_8);
  }
}
