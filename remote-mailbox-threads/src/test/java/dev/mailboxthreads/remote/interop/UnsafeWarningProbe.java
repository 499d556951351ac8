package dev.mailboxthreads.remote.interop;

import dev.mailboxthreads.remote.MsgpackCodec;
import java.util.List;
import java.util.Map;

/**
 * Child JVM for {@link NoUnsafeWarningTest}: encodes and decodes one message with {@link
 * MsgpackCodec}, then prints {@code DONE <message>}. With the argument {@code unsafe} it first
 * sets {@code msgpack.universal-buffer=false}, as a user who wants msgpack-core's Unsafe buffers
 * would.
 */
public final class UnsafeWarningProbe {
  private UnsafeWarningProbe() {}

  /**
   * Runs the probe.
   *
   * @param args {@code unsafe}, or nothing
   */
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("unsafe")) {
      System.setProperty("msgpack.universal-buffer", "false");
    }
    MsgpackCodec codec = MsgpackCodec.defaults();
    byte[] bytes = codec.encode(Map.of("list", List.of(1, "two", 3.0)), 0);
    System.out.println("DONE " + codec.decode(bytes, 0, bytes.length));
    System.out.flush();
  }
}
