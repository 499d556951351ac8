package dev.mailboxthreads.remote.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
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
 * CurveMismatchTest} checks each case):
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
 * I/O thread, so the events of a socket arrive in order, and when one connection is in its
 * handshake (the usual case) there is no doubt. When several are, the watch marks the oldest
 * and remembers that the mark is a guess; if another connection that was waiting at that moment
 * then disconnects unmarked, the guess is moved to it rather than counting a failure. So a
 * correct client is never counted; a failing one that raced a correct one may be counted only
 * when the correct connection ends. Either way the total is exact once they have ended
 * (failures = accepted - handshaken).
 *
 * <p><b>Thread safety:</b> JeroMQ calls {@link #consume(zmq.ZMQ.Event)} on the context's I/O
 * thread (and the socket's owner thread at close); every method is synchronized on the watch.
 */
public final class HandshakeWatch implements ZEvent.ZEventConsummer {
  /** The events the watch needs. */
  public static final int EVENTS = ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED
      | ZMQ.EVENT_HANDSHAKE_PROTOCOL | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
      | zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;

  private static final System.Logger LOG = System.getLogger("dev.mailboxthreads.remote");
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

  /** Counts events; orders accepts and marks. Guarded by this. */
  private long seq;
  /** Open connections (accepted, not disconnected) to when they were accepted. Guarded by this. */
  private final Map<Object, Long> accepted = new HashMap<>();
  /** Open connections not yet marked handshaken, oldest first. Guarded by this. */
  private final Set<Object> pending = new LinkedHashSet<>();
  /** Open connections marked handshaken. Guarded by this. */
  private final Set<Object> handshaken = new HashSet<>();
  /** Marks that were guesses (others were pending), to when they were made. Guarded by this. */
  private final Map<Object, Long> guesses = new HashMap<>();
  /** Handshakes seen with no pending connection to mark (not expected). Guarded by this. */
  private int unattributed;
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

  @Override
  public synchronized void consume(zmq.ZMQ.Event event) {
    switch (event.event) {
      case ZMQ.EVENT_ACCEPTED -> {
        if (event.arg != null) {
          accepted.put(event.arg, ++seq);
          pending.add(event.arg);
        }
      }
      case ZMQ.EVENT_HANDSHAKE_PROTOCOL -> handshaken();
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

  private void handshaken() {
    var oldest = pending.iterator();
    if (!oldest.hasNext()) {
      unattributed++;
      return;
    }
    Object channel = oldest.next();
    oldest.remove();
    handshaken.add(channel);
    if (!pending.isEmpty()) {
      guesses.put(channel, ++seq); // others were waiting: it may have been one of them
    }
  }

  /** Forgets a disconnected connection; true if it had handshaken (by the attribution). */
  private boolean endedHandshaken(Object channel) {
    Long acceptedAt = accepted.remove(channel);
    if (handshaken.remove(channel)) {
      guesses.remove(channel);
      return true;
    }
    if (!pending.remove(channel)) {
      if (unattributed > 0) {
        unattributed--; // never seen accepted: take it as the handshake seen without one
        return true;
      }
      return false;
    }
    for (var guess : guesses.entrySet()) {
      if (guess.getValue() > acceptedAt) {
        // the handshake marked on guess.getKey() may have been this connection's: move it
        Object other = guess.getKey();
        guesses.remove(other);
        handshaken.remove(other);
        pending.add(other);
        return true;
      }
    }
    return false;
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
    if (LOG.isLoggable(level)) {
      LOG.log(level, "publication " + publication + ": a handshake on " + endpoint
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
