package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.PublicationStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A publication's counters. Written by the thread that holds its socket, one at a time: its
 * I/O thread, or the published thread under direct receive ({@link OwnerReceive}, which hands
 * the socket over by volatile write or CAS); a single writer, so a release store suffices and no
 * read-modify-write is needed; read by anyone. The exception is {@code
 * refusedClients}, written by the context's ZAP handler thread, and {@code failedHandshakes},
 * written by the socket monitor ({@link HandshakeWatch}) on JeroMQ's I/O thread.
 */
final class Counters {
  private static final int RECEIVED = 0;
  private static final int DELIVERED = 1;
  private static final int FIRST_DROP = 2;
  private static final DropReason[] REASONS = DropReason.values();

  /** Index 0 received, 1 delivered, 2 + ordinal: drops. Written by the socket's holder only. */
  private final AtomicLongArray values = new AtomicLongArray(FIRST_DROP + REASONS.length);

  /** Refused CURVE handshakes; written by the ZAP handler's thread only. */
  private final AtomicLong refusedClients = new AtomicLong();

  /** Failed handshakes; written by the socket monitor (JeroMQ's I/O thread) only. */
  private final AtomicLong failedHandshakes = new AtomicLong();

  private void increment(int i) {
    values.setRelease(i, values.getPlain(i) + 1); // single writer: benign
  }

  void received() {
    increment(RECEIVED);
  }

  void delivered() {
    increment(DELIVERED);
  }

  /** Counts a drop; returns the count for that reason including this one. */
  long dropped(DropReason reason) {
    int i = FIRST_DROP + reason.ordinal();
    increment(i);
    return values.getPlain(i);
  }

  /** Counts a refused CURVE client; returns the count including this one. */
  long refusedClient() {
    return refusedClients.incrementAndGet();
  }

  /** Counts a failed handshake; returns the count including this one. */
  long failedHandshake() {
    return failedHandshakes.incrementAndGet();
  }

  PublicationStats snapshot() {
    Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : REASONS) {
      dropped.put(r, values.getAcquire(FIRST_DROP + r.ordinal()));
    }
    return new PublicationStats(values.getAcquire(RECEIVED), values.getAcquire(DELIVERED), dropped,
        refusedClients.get(), failedHandshakes.get());
  }
}
