package dev.mailboxthreads.benchmarks.remote;

import java.nio.charset.StandardCharsets;

/** The messages both contestants carry: the same bytes, as a String for us and raw for JeroMQ. */
final class Payload {
  /** Exactly 16 ASCII characters, so 16 UTF-8 bytes. */
  static final String SIXTEEN = "16-byte-payload!";

  private Payload() {}

  /**
   * A String of {@code bytes} ASCII characters (so {@code bytes} UTF-8 bytes): "16-byte-payload!"
   * repeated.
   */
  static String string(int bytes) {
    if (bytes % SIXTEEN.length() != 0) {
      throw new IllegalArgumentException("payload bytes not a multiple of 16: " + bytes);
    }
    return SIXTEEN.repeat(bytes / SIXTEEN.length());
  }

  /** The same payload as raw bytes. */
  static byte[] bytes(int bytes) {
    return string(bytes).getBytes(StandardCharsets.US_ASCII);
  }
}
