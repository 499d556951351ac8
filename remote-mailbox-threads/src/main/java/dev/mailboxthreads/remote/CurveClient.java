package dev.mailboxthreads.remote;

import java.util.Objects;

/**
 * CURVE for a connection ({@link ConnectOptions#withCurve(CurveClient)}): the connection is
 * encrypted and authenticated (CurveZMQ), and delivers only to a publication that holds the
 * secret key of {@code serverPublicKey}. The publication must allow {@code keys.publicKey()}
 * ({@link CurveServer}); if it does not, the handshake is refused and nothing is delivered:
 * sends queue until the connection's queues are full and then fail with {@link
 * SendTimeoutException}, as when the receiver is down.
 *
 * @param keys the client's key pair
 * @param serverPublicKey the publication's public key, 40 Z85 characters
 */
public record CurveClient(CurveKeyPair keys, String serverPublicKey) {

  /**
   * Checks the settings.
   *
   * @param keys not null
   * @param serverPublicKey 40 Z85 characters
   * @throws IllegalArgumentException if the server key is not 40 Z85 characters
   */
  public CurveClient {
    Objects.requireNonNull(keys, "keys");
    CurveKeyPair.checkKey(serverPublicKey, "serverPublicKey");
  }
}
