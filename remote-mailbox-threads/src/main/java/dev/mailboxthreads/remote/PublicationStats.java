package dev.mailboxthreads.remote;

import java.util.Map;

/**
 * Counters of a {@link Publication}, read at one moment (each counter is exact; the set is not
 * an atomic snapshot while messages flow).
 *
 * @param received frames taken from the socket
 * @param delivered messages put in the published thread's mailbox
 * @param dropped frames dropped, by reason; every reason is present, with 0 when none
 * @param refusedClients CURVE handshakes refused because the client's public key is not allowed
 *     ({@link CurveServer}); a refused client retries, so one client may count many times.
 *     Always 0 without CURVE
 * @param failedHandshakes connections whose ZMTP handshake failed, as the publication's socket
 *     monitor sees them: a CURVE client that was given another public key for the publication,
 *     a CURVE client to a plain publication or a plain client to a CURVE one, and also a peer
 *     that is not ZeroMQ, that sends nothing within the handshake interval, or that connects
 *     and closes at once (a port probe). Each failed attempt counts (a client retries). Not
 *     counted here: clients refused by the allowed keys ({@link #refusedClients()})
 */
public record PublicationStats(long received, long delivered, Map<DropReason, Long> dropped,
    long refusedClients, long failedHandshakes) {

  /**
   * Creates the record, copying {@code dropped}.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   * @param refusedClients refused CURVE handshakes
   * @param failedHandshakes failed handshakes
   */
  public PublicationStats {
    dropped = Map.copyOf(dropped);
  }

  /**
   * Creates the record with no failed handshake.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   * @param refusedClients refused CURVE handshakes
   */
  public PublicationStats(long received, long delivered, Map<DropReason, Long> dropped,
      long refusedClients) {
    this(received, delivered, dropped, refusedClients, 0);
  }

  /**
   * Creates the record with no refused or failed handshake.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   */
  public PublicationStats(long received, long delivered, Map<DropReason, Long> dropped) {
    this(received, delivered, dropped, 0, 0);
  }

  /**
   * All drops, whatever the reason.
   *
   * @return the sum of {@link #dropped()}
   */
  public long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Drops for one reason.
   *
   * @param reason the reason
   * @return how many frames were dropped for it
   */
  public long dropped(DropReason reason) {
    return dropped.getOrDefault(reason, 0L);
  }
}
