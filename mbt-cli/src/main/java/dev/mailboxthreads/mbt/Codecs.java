package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.JavaCodec;

/** The codec of the processes that exchange {@link Ping}s: the JDK's values plus {@link Ping}. */
final class Codecs {
  /**
   * JavaCodec allowing {@link Ping}, whose serializer is generated in the codec's background
   * thread while the command sets up its sockets.
   */
  static final JavaCodec PING = JavaCodec.builder()
      .allow(Ping.class)
      .warmUp(new Ping("tcp://127.0.0.1:1", 0))
      .build();

  private Codecs() {}
}
