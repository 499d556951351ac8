package dev.mailboxthreads.remote;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The open publications of this process, in every context, oldest first: how a local thread's
 * address is encoded (the endpoints of its publication), and how a decoded address that points
 * back into this process is short-cut to the local mailbox.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. Publications are few and
 * rarely opened or closed, so a copy-on-write list serves the frequent lookups without locks.
 */
final class LocalPublications {
  private static final CopyOnWriteArrayList<Publication> OPEN = new CopyOnWriteArrayList<>();

  private LocalPublications() {}

  static void add(Publication p) {
    OPEN.add(p);
  }

  static void remove(Publication p) {
    OPEN.remove(p);
  }

  /** The oldest open publication of {@code thread}, or null. */
  static Publication of(Thread thread) {
    for (Publication p : OPEN) {
      if (p.thread() == thread) {
        return p;
      }
    }
    return null;
  }

  /**
   * Where replies to a call of {@code caller} should go, or null if nothing is published: the
   * best-ranked open publication, oldest first within a rank. A reply is encoded with the codec
   * of the server's publication, which is that of the request's connection ({@code codecId}), so
   * a publication decoding that codec ranks first; then the caller's own publication, then one
   * of {@code context}. For a request that travels with CURVE ({@code curve}), a CURVE
   * publication ranks before all plain ones.
   */
  static Publication forReply(Thread caller, RemoteContext context, int codecId,
      boolean curve) {
    Publication best = null;
    int bestRank = Integer.MAX_VALUE;
    for (Publication p : OPEN) {
      int rank = (curve && !p.curve() ? 8 : 0)
          + (p.codec().id() == codecId ? 0 : 4)
          + (p.thread() == caller ? 0 : 2)
          + (p.context() == context ? 0 : 1);
      if (rank < bestRank) {
        best = p;
        bestRank = rank;
      }
    }
    if (best != null && best.thread() != caller) {
      best.loop().servesOtherThreadsReplies(); // replies for others must not wait in its socket
    }
    return best;
  }

  /**
   * The publication of this process that {@code endpoints} point at, or null: one that binds or
   * advertises one of them. An {@code inproc://} name counts only within {@code context}, where
   * it is unique.
   *
   * @param endpoints endpoints only, without a CURVE key entry
   */
  static Publication pointedAt(List<String> endpoints, RemoteContext context) {
    for (Publication p : OPEN) {
      for (String e : endpoints) {
        if ((p.address().contains(e) || p.endpoints().contains(e))
            && (!e.startsWith("inproc:") || p.context() == context)) {
          return p;
        }
      }
    }
    return null;
  }
}
