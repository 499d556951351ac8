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
 */
public record PublicationStats(
    long received, long delivered, Map<DropReason, Long> dropped, long refusedClients) {

  /**
   * Creates the record, copying {@code dropped}.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   * @param refusedClients refused CURVE handshakes
   */
  public PublicationStats {
    dropped = Map.copyOf(dropped);
  }

  /**
   * Creates the record with no refused handshake.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   */
  public PublicationStats(long received, long delivered, Map<DropReason, Long> dropped) {
    this(received, delivered, dropped, 0);
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
