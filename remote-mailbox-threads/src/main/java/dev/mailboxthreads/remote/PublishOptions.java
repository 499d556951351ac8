package dev.mailboxthreads.remote;

import java.util.Objects;

/**
 * How a thread is published. {@link #defaults()} suits most uses; change one setting with a
 * {@code with...} method: {@code PublishOptions.defaults().withCodec(myCodec)}.
 *
 * @param codec decodes what arrives; frames of another codec are dropped ({@link
 *     DropReason#UNKNOWN_CODEC}); default {@link JavaCodec#defaults()}
 * @param receiveHighWaterMark messages ZeroMQ queues per connected sender before it stops
 *     reading from that sender (ZMQ_RCVHWM); default 100,000
 * @param maxMessageBytes largest frame accepted; larger ones are dropped ({@link
 *     DropReason#TOO_LARGE}), and a sender of one more than twice as large is disconnected by
 *     ZeroMQ before the frame is read, to protect memory; default 16 MiB
 */
public record PublishOptions(Codec codec, int receiveHighWaterMark, int maxMessageBytes) {

  /**
   * Checks the settings.
   *
   * @param codec not null
   * @param receiveHighWaterMark 0 (no limit) or more
   * @param maxMessageBytes more than 0
   */
  public PublishOptions {
    Objects.requireNonNull(codec, "codec");
    if (receiveHighWaterMark < 0) {
      throw new IllegalArgumentException("receiveHighWaterMark < 0: " + receiveHighWaterMark);
    }
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes <= 0: " + maxMessageBytes);
    }
  }

  /**
   * The defaults.
   *
   * @return the default options
   */
  public static PublishOptions defaults() {
    return new PublishOptions(JavaCodec.defaults(), 100_000, 16 << 20);
  }

  /**
   * These options with another codec.
   *
   * @param codec the codec
   * @return new options
   */
  public PublishOptions withCodec(Codec codec) {
    return new PublishOptions(codec, receiveHighWaterMark, maxMessageBytes);
  }

  /**
   * These options with another receive high-water mark.
   *
   * @param messages the high-water mark
   * @return new options
   */
  public PublishOptions withReceiveHighWaterMark(int messages) {
    return new PublishOptions(codec, messages, maxMessageBytes);
  }

  /**
   * These options with another size limit.
   *
   * @param bytes the largest frame accepted
   * @return new options
   */
  public PublishOptions withMaxMessageBytes(int bytes) {
    return new PublishOptions(codec, receiveHighWaterMark, bytes);
  }
}
