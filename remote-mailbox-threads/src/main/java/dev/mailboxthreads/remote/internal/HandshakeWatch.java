package dev.mailboxthreads.remote.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * The socket monitor of one publication's bound socket: counts the connections whose ZMTP
 * handshake failed, so that a mismatched security configuration shows on the receiver too.
 *
 * <p>It is installed with JeroMQ's {@code ZMQ.Socket.setEventHook}: the socket's monitor as an
 * in-process callback instead of a PAIR socket. There is no monitor socket, thread, inproc
 * endpoint or file descriptor to leak: the hook ends with the socket.
 *
 * <p>What JeroMQ 0.7.0 reports (read in its {@code StreamEngine} and mechanisms; {@code
 * HandshakeFailureTest} checks each case):
 *
 * <ul>
 *   <li>a CURVE client that was given another public key for the publication: {@code
 *       HANDSHAKE_FAILED_PROTOCOL} with {@code ZMTP_CRYPTOGRAPHIC}, from {@code
 *       CurveServerMechanism} (the server cannot open the client's HELLO); counted at once;
 *   <li>a greeting that names another mechanism (a CURVE client to a plain publication, a plain
 *       client to a CURVE one): JeroMQ drops the connection with no handshake event at all
 *       (libzmq would report {@code ZMTP_MECHANISM_MISMATCH}), only {@code DISCONNECTED}. So
 *       the watch follows each accepted connection: {@code HANDSHAKE_PROTOCOL} ("handshaken",
 *       emitted once the greetings were exchanged and the mechanism agreed) marks it, and a
 *       connection that disconnects unmarked failed its handshake. The same holds for a peer
 *       that is not ZeroMQ, one that sends nothing until the handshake interval ends, and a
 *       port probe that connects and closes;
 *   <li>a client refused by the ZAP handler completes the greeting and is counted by the
 *       handler ({@code refusedClients}), not here.
 * </ul>
 *
 * <p>{@code HANDSHAKE_PROTOCOL} does not say which connection it is for. The context has one
 * I/O thread, so the events of a socket arrive in order, and the watch keeps the handshakes not
 * yet attributed to an ended connection. When a connection ends, it counts as handshaken if the
 * handshakes seen can still all be given to distinct connections, each open at its handshake's
 * moment, with this one among them; else it failed. With one connection in its handshake at a
 * time (the usual case) there is no doubt. When several race, a correct connection is never
 * counted, and the count never exceeds the failed connections that have ended; a failing one
 * may be counted only when a correct one it raced ends. Once all have ended the count is exact
 * (accepted - handshaken). {@code HandshakeWatchPropertyTest} checks this on random
 * interleavings.
 *
 * <p><b>Thread safety:</b> JeroMQ calls {@link #consume(zmq.ZMQ.Event)} on the context's I/O
 * thread (and the socket's owner thread at close); every method is synchronized on the watch.
 */
public final class HandshakeWatch implements ZEvent.ZEventConsummer {
  /** The events the watch needs. */
  public static final int EVENTS = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED
      | ZMQ.EVENT_HANDSHAKE_PROTOCOL | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
      | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;

  /** The first failure of a kind is logged at WARNING, then at most one a minute; DEBUG else. */
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** When the next WARNING of a kind may be logged, and what was not warned about since. */
  private static final class Limiter {
    /** Whether a WARNING was logged yet. */
    boolean warned;
    /** When the next WARNING may be logged, once one was. */
    long next;
    /** Failures of this kind since the last WARNING, this one included. */
    long since;
  }

  private final String publication;
  private final LongSupplier failed;

  /** Set by stop(); guarded by this. */
  private boolean stopped;
  /** Counts events: the order of accepts and handshakes. Guarded by this. */
  private long seq;
  /** Open connections (accepted, not disconnected) to when they were accepted. Guarded by this. */
  private final Map<Object, Long> open = new HashMap<>();
  /** When each open connection was accepted, in order. Guarded by this. */
  private final TreeSet<Long> openAccepts = new TreeSet<>();
  /**
   * When each handshake not attributed to an ended connection happened, in order: each belongs
   * to an open connection accepted before it. Guarded by this.
   */
  private final List<Long> floating = new ArrayList<>();
  /** Rate limit of the WARNINGs for connections that end before the handshake. */
  private final Limiter earlyEnds = new Limiter();
  /** Rate limit of the WARNINGs for handshakes that JeroMQ reports as failed. */
  private final Limiter reported = new Limiter();

  /**
   * Creates a watch.
   *
   * @param publication names the publication in log lines
   * @param failed counts a failed handshake, returning the count so far
   */
  public HandshakeWatch(String publication, LongSupplier failed) {
    this.publication = publication;
    this.failed = failed;
  }

  /**
   * Stops counting: the publication is closing, and what its listener and peers do then (a
   * connection accepted while the socket closes, a peer reconnecting at that moment, the
   * publication's own check that its port is free) is not a failed handshake.
   */
  public synchronized void stop() {
    stopped = true;
  }

  @Override
  public synchronized void consume(zmq.ZMQ.Event event) {
    if (stopped) {
      return;
    }
    switch (event.event) {
      case ZMQ.EVENT_ACCEPTED -> {
        if (event.arg != null) {
          long at = ++seq;
          open.put(event.arg, at);
          openAccepts.add(at);
        }
      }
      case ZMQ.EVENT_HANDSHAKE_PROTOCOL -> floating.add(++seq);
      case ZMQ.EVENT_DISCONNECTED -> {
        if (!endedHandshaken(event.arg)) {
          failed(event.addr, peer(event.arg), earlyEnds, "the connection ended before"
              + " the handshake: the peer uses another security mechanism (a CURVE client to a"
              + " plain publication, or a plain client to a CURVE publication), is not a ZeroMQ"
              + " peer, sent nothing within the handshake interval, or closed at once (a port"
              + " probe)");
        }
      }
      case zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ->
          failed(event.addr, null, reported, protocolFailure(event.arg));
      case zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ->
          failed(event.addr, null, reported, "the handshake failed (no detail)");
      default -> {
        // not asked for
      }
    }
  }

  /** Forgets a disconnected connection; true if it had handshaken (by the attribution). */
  private boolean endedHandshaken(Object channel) {
    Long removed = open.remove(channel);
    long acceptedAt = removed == null ? 0 : removed; // not seen accepted: as if from the start
    if (removed != null) {
      openAccepts.remove(removed);
    }
    // the earliest handshake after its accept: if any works, that one does (exchange argument)
    for (int i = 0; i < floating.size(); i++) {
      if (floating.get(i) > acceptedAt) {
        Long handshake = floating.remove(i);
        if (othersStillFit()) {
          return true;
        }
        floating.add(i, handshake);
        break;
      }
    }
    while (!othersStillFit()) {
      floating.remove(0); // cannot happen with JeroMQ's events; never grow without bound
    }
    return false;
  }

  /**
   * Whether every floating handshake can go to a distinct open connection accepted before it
   * (Hall's condition: the i-th earliest needs i connections accepted before it).
   */
  private boolean othersStillFit() {
    var accepts = openAccepts.iterator();
    long next = accepts.hasNext() ? accepts.next() : Long.MAX_VALUE;
    int before = 0;
    int needed = 0;
    for (long handshake : floating) {
      while (next < handshake) {
        before++;
        next = accepts.hasNext() ? accepts.next() : Long.MAX_VALUE;
      }
      if (before < ++needed) {
        return false;
      }
    }
    return true;
  }

  /**
   * Not called: JeroMQ calls {@link #consume(zmq.ZMQ.Event)}, which this class overrides.
   *
   * @param event an event
   */
  @Override
  public void consume(ZEvent event) {
    throw new UnsupportedOperationException("HandshakeWatch reads zmq.ZMQ.Event directly");
  }

  private static String protocolFailure(Object code) {
    if (!(code instanceof Integer c)) {
      return "a protocol error in the handshake";
    }
    return switch (c) {
      case zmq.ZMQ.ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC -> "a CURVE handshake failed its"
          + " cryptographic check (ZMTP_CRYPTOGRAPHIC): the client was given another public key"
          + " for this publication (check the server key it uses), or the bytes were altered";
      case zmq.ZMQ.ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH -> "the peer uses another"
          + " security mechanism (ZMTP_MECHANISM_MISMATCH): CURVE on one side only";
      case zmq.ZMQ.ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE -> "the CURVE key exchange failed"
          + " (ZMTP_KEY_EXCHANGE)";
      default -> String.format("a protocol error in the handshake (ZeroMQ code 0x%08x)", c);
    };
  }

  private static String peer(Object channel) {
    if (channel instanceof NetworkChannel n) {
      try {
        SocketAddress remote = n instanceof java.nio.channels.SocketChannel s
            ? s.getRemoteAddress() : null;
        return remote == null ? null : remote.toString();
      } catch (IOException | RuntimeException e) {
        return null; // already closed: no address to give
      }
    }
    return null;
  }

  /** Counts and logs, at WARNING as {@code limit} allows; called holding the lock. */
  private void failed(String endpoint, String peer, Limiter limit, String kind) {
    long n = failed.getAsLong();
    limit.since++;
    long now = System.nanoTime();
    boolean warn = !limit.warned || now - limit.next >= 0;
    Level level = warn ? Level.WARNING : Level.DEBUG;
    if (Logs.remote().isLoggable(level)) {
      Logs.remote().log(level, "publication " + publication + ": a handshake on " + endpoint
          + (peer == null ? "" : " from " + peer) + " failed: " + kind + " [" + n
          + " failed handshake(s) so far" + (warn && limit.since > 1
              ? ", " + limit.since + " of this kind since the last warning" : "")
          + "; see PublicationStats.failedHandshakes; the first of a kind is logged at WARNING,"
          + " then at most one a minute, the others at DEBUG]");
    }
    if (warn) {
      limit.warned = true;
      limit.next = now + WARN_INTERVAL_NANOS;
      limit.since = 0;
    }
  }
}
