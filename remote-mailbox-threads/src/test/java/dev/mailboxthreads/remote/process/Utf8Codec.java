package dev.mailboxthreads.remote.process;

import dev.mailboxthreads.remote.Codec;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.nio.charset.StandardCharsets;

/**
 * Strings as UTF-8, nothing else: a codec with no start-up cost, so that a cold-start measurement
 * with it shows the transport's share alone (JVM already running: JeroMQ, the I/O threads, the
 * connect and handshake), to set beside the default codec's.
 *
 * <p><b>Thread safety:</b> stateless; safe for any number of threads.
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
      throw new UnencodableMessageException(
          "Utf8Codec encodes Strings only, not a " + message.getClass().getName(), null);
    }
    byte[] text = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[headroom + text.length];
    System.arraycopy(text, 0, out, headroom, text.length);
    return out;
  }

  @Override
  public Object decode(byte[] frame, int offset, int length) {
    return new String(frame, offset, length, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Utf8Codec";
  }
}
