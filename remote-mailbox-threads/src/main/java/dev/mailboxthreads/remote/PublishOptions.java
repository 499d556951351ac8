package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.Endpoints;
import java.util.List;
import java.util.Objects;

/**
 * How a thread is published. {@link #defaults()} suits most uses; change one setting with a
 * {@code with...} method: {@code PublishOptions.defaults().withCodec(myCodec)}.
 *
 * @param codec decodes what arrives; frames of another codec are dropped ({@link
 *     DropReason#UNKNOWN_CODEC}); default {@link JavaCodec#defaults()}. Replies to requests
 *     received by the publication, and messages sent to addresses decoded by it, are encoded
 *     with it too
 * @param receiveHighWaterMark about how many messages ZeroMQ queues per connected sender
 *     before it stops reading from that sender; default 100,000, 0 for no limit. ZMQ_RCVHWM
 *     counts ZeroMQ messages, and a batch frame of up to 256 messages is one
 *     (docs/wire-format.md), so with {@link JavaCodec}, whose connections batch by default, it is
 *     set to this / 256 (at least 1). With any other codec it is set to this, but at most
 *     {@link ConnectOptions#ZMQ_MAX_UNBATCHED} (ZeroMQ has no byte bound: 100,000 frames of
 *     4 KiB are 400 MB), since those connections send one frame per message unless told to
 *     batch ({@link ConnectOptions#batches()}); a publication whose senders batch anyway holds up
 *     to 256 times as many messages: give it a smaller value
 * @param maxMessageBytes largest frame accepted; larger ones are dropped ({@link
 *     DropReason#TOO_LARGE}), and a sender of one more than twice as large is disconnected by
 *     ZeroMQ before the frame is read, to protect memory; default 16 MiB
 * @param advertisedEndpoints the endpoints other processes reach the publication by, which an
 *     address of the published thread travels as ({@link Publication#address()}); empty (the
 *     default) means the bound endpoints. Set them when the bound ones are not reachable as
 *     they are: binding {@code tcp://0.0.0.0:5555} while advertising {@code
 *     tcp://host.example:5555}, or behind a port mapping. The port of an advertised tcp
 *     endpoint may be {@code *}: binding {@code tcp://0.0.0.0:*} and advertising {@code
 *     tcp://host.example:*} advertises the port chosen. Wildcard ports take, in order, the ports
 *     of the bound tcp endpoints
 * @param curve CURVE settings: every connection encrypted, only allowed clients accepted
 *     (docs/remote.md, Security); {@code null} (the default) for none: plain ZMTP, anyone who
 *     reaches an endpoint may send, and nothing is encrypted
 */
public record PublishOptions(
    Codec codec, int receiveHighWaterMark, int maxMessageBytes, List<String> advertisedEndpoints,
    CurveServer curve) {

  /**
   * Checks the settings.
   *
   * @param codec not null
   * @param receiveHighWaterMark 0 (no limit) or more
   * @param maxMessageBytes more than 0
   * @param advertisedEndpoints empty, or endpoints that can be connected to, except for a
   *     wildcard tcp port
   * @param curve CURVE settings, or null for none
   */
  public PublishOptions {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(advertisedEndpoints, "advertisedEndpoints");
    if (receiveHighWaterMark < 0) {
      throw new IllegalArgumentException("receiveHighWaterMark < 0: " + receiveHighWaterMark);
    }
    if (maxMessageBytes <= 0) {
      throw new IllegalArgumentException("maxMessageBytes <= 0: " + maxMessageBytes);
    }
    advertisedEndpoints = advertisedEndpoints.isEmpty()
        ? List.of()
        : Endpoints.checkAdvertised(advertisedEndpoints);
  }

  /**
   * Options without CURVE.
   *
   * @param codec not null
   * @param receiveHighWaterMark 0 (no limit) or more
   * @param maxMessageBytes more than 0
   * @param advertisedEndpoints empty, or endpoints that can be connected to
   */
  public PublishOptions(Codec codec, int receiveHighWaterMark, int maxMessageBytes,
      List<String> advertisedEndpoints) {
    this(codec, receiveHighWaterMark, maxMessageBytes, advertisedEndpoints, null);
  }

  /**
   * Options that advertise the bound endpoints, without CURVE.
   *
   * @param codec not null
   * @param receiveHighWaterMark 0 (no limit) or more
   * @param maxMessageBytes more than 0
   */
  public PublishOptions(Codec codec, int receiveHighWaterMark, int maxMessageBytes) {
    this(codec, receiveHighWaterMark, maxMessageBytes, List.of(), null);
  }

  /**
   * The defaults.
   *
   * @return the default options
   */
  public static PublishOptions defaults() {
    return new PublishOptions(JavaCodec.defaults(), 100_000, 16 << 20, List.of(), null);
  }

  /**
   * These options with another codec.
   *
   * @param codec the codec
   * @return new options
   */
  public PublishOptions withCodec(Codec codec) {
    return new PublishOptions(codec, receiveHighWaterMark, maxMessageBytes, advertisedEndpoints,
        curve);
  }

  /**
   * These options with another receive high-water mark.
   *
   * @param messages the high-water mark
   * @return new options
   */
  public PublishOptions withReceiveHighWaterMark(int messages) {
    return new PublishOptions(codec, messages, maxMessageBytes, advertisedEndpoints, curve);
  }

  /**
   * These options with another size limit.
   *
   * @param bytes the largest frame accepted
   * @return new options
   */
  public PublishOptions withMaxMessageBytes(int bytes) {
    return new PublishOptions(codec, receiveHighWaterMark, bytes, advertisedEndpoints, curve);
  }

  /**
   * These options advertising other endpoints than the bound ones.
   *
   * @param endpoints endpoints that can be connected to, e.g. {@code tcp://host.example:5555},
   *     or {@code tcp://host.example:*} for the port bound; none to advertise the bound ones
   * @return new options
   * @throws IllegalArgumentException if an endpoint is malformed or has a wildcard host
   */
  public PublishOptions withAdvertisedEndpoints(String... endpoints) {
    return new PublishOptions(codec, receiveHighWaterMark, maxMessageBytes, List.of(endpoints),
        curve);
  }

  /**
   * These options with CURVE: connections are encrypted, and only the clients {@code curve}
   * allows may send (docs/remote.md, Security).
   *
   * @param curve the publication's key pair and the clients allowed; null for no CURVE
   * @return new options
   */
  public PublishOptions withCurve(CurveServer curve) {
    return new PublishOptions(codec, receiveHighWaterMark, maxMessageBytes, advertisedEndpoints,
        curve);
  }
}
