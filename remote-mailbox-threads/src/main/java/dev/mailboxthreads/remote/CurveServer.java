package dev.mailboxthreads.remote;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * CURVE for a publication ({@link PublishOptions#withCurve(CurveServer)}): every connection is
 * encrypted and authenticated (CurveZMQ), and only clients whose public key is allowed may
 * send. A client that is not allowed is refused during the handshake: nothing it sends is
 * delivered, and the refusal is counted ({@link PublicationStats#refusedClients()}) and logged.
 * Clients must know the publication's public key ({@link CurveClient}).
 *
 * @param keys the publication's key pair; its public key is what clients connect with
 * @param allowedClientKeys public keys (Z85) of the clients allowed; empty only with {@code
 *     anyClient}
 * @param anyClient whether every client that completes the handshake is allowed, whatever its
 *     key: traffic is still encrypted, and only clients that know the publication's public key
 *     can connect, but anyone with that key can send
 */
public record CurveServer(CurveKeyPair keys, Set<String> allowedClientKeys, boolean anyClient) {

  /**
   * Checks the settings.
   *
   * @param keys not null
   * @param allowedClientKeys valid keys; not empty unless {@code anyClient}
   * @param anyClient whether any client is allowed
   * @throws IllegalArgumentException if a key is not 40 Z85 characters, or no key is allowed
   *     and not {@code anyClient}, or keys are listed with {@code anyClient}
   */
  public CurveServer {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(allowedClientKeys, "allowedClientKeys");
    Set<String> checked = new LinkedHashSet<>();
    for (String key : allowedClientKeys) {
      checked.add(CurveKeyPair.checkKey(key, "allowed client key"));
    }
    if (anyClient && !checked.isEmpty()) {
      throw new IllegalArgumentException("anyClient with " + checked.size() + " allowed client"
          + " keys: either list the keys or allow any client, not both");
    }
    if (!anyClient && checked.isEmpty()) {
      throw new IllegalArgumentException("no client key is allowed: list the public keys of the"
          + " clients (CurveServer.allowing), or use CurveServer.allowingAnyClient");
    }
    allowedClientKeys = Set.copyOf(checked);
  }

  /**
   * Allows the clients with these public keys only.
   *
   * @param keys the publication's key pair
   * @param clientPublicKeys at least one public key, 40 Z85 characters each
   * @return the settings
   */
  public static CurveServer allowing(CurveKeyPair keys, Collection<String> clientPublicKeys) {
    return new CurveServer(keys, Set.copyOf(clientPublicKeys), false);
  }

  /**
   * Allows the clients whose certificates are in a file or directory ({@link
   * CurveKeyPair#readPublicKeys(Path)}), read once, now.
   *
   * @param keys the publication's key pair
   * @param certificates a certificate file, or a directory of certificate files
   * @return the settings
   * @throws IllegalArgumentException if a file is not a certificate (the message names it)
   * @throws java.io.UncheckedIOException if a file cannot be read
   */
  public static CurveServer allowingKeysIn(CurveKeyPair keys, Path certificates) {
    return allowing(keys, CurveKeyPair.readPublicKeys(certificates));
  }

  /**
   * Allows any client that knows the publication's public key: encryption without client
   * authentication. Prefer {@link #allowing} on a network you do not control.
   *
   * @param keys the publication's key pair
   * @return the settings
   */
  public static CurveServer allowingAnyClient(CurveKeyPair keys) {
    return new CurveServer(keys, Set.of(), true);
  }
}
