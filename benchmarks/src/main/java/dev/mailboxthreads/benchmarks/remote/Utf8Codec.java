package dev.mailboxthreads.benchmarks.remote;

import dev.mailboxthreads.remote.Codec;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.nio.charset.StandardCharsets;

/**
 * A diagnostic codec for {@code --codec utf8}: Strings only, as UTF-8, nothing else. Not a
 * contestant of its own: with it, ours carries the same bytes as raw JeroMQ plus our 5-byte
 * header, so the difference to raw is the cost of the library's I/O loops and mailboxes alone,
 * without the default codec's. Wire id 200 (ids 0 to 15 are the library's).
 *
 * <p><b>Thread safety:</b> stateless.
 */
final class Utf8Codec implements Codec {
  static final Utf8Codec INSTANCE = new Utf8Codec();

  private Utf8Codec() {}

  @Override
  public int id() {
    return 200;
  }

  @Override
  public byte[] encode(Object message, int headroom) {
    if (!(message instanceof String s)) {
      throw new UnencodableMessageException("the utf8 codec encodes Strings only, not a "
          + message.getClass().getName(), null);
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

  @Override
  public String toString() {
    return "Utf8Codec[id=200, Strings only; diagnostic]";
  }
}
