package dev.mailboxthreads.remote;

import java.util.Map;

/**
 * Counters of a {@link Publication}, read at one moment (each counter is exact; the set is not
 * an atomic snapshot while messages flow).
 *
 * @param received frames taken from the socket
 * @param delivered messages put in the published thread's mailbox
 * @param dropped frames dropped, by reason; every reason is present, with 0 when none
 */
public record PublicationStats(long received, long delivered, Map<DropReason, Long> dropped) {

  /**
   * Creates the record, copying {@code dropped}.
   *
   * @param received frames received
   * @param delivered messages delivered
   * @param dropped drops by reason
   */
  public PublicationStats {
    dropped = Map.copyOf(dropped);
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
