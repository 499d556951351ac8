package dev.mailboxthreads.remote.internal;

import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;

/**
 * The socket monitor of one connection's PUSH socket: how many receivers are connected now (their
 * ZMTP handshake completed and they have not disconnected since), and how many handshakes
 * completed so far. The connection's I/O thread reads both to tell whether a frame it hands to
 * ZeroMQ can go anywhere now, or waits in ZeroMQ for a receiver to come (back).
 *
 * <p>It is installed with JeroMQ's {@code ZMQ.Socket.setEventHook}, as {@link HandshakeWatch}
 * is: an in-process callback, no monitor socket. What JeroMQ 0.7.0 reports (read in its {@code
 * StreamEngine}): {@code HANDSHAKE_PROTOCOL} once the greetings were exchanged and the mechanism
 * agreed (it never emits {@code HANDSHAKE_SUCCEEDED}); {@code DISCONNECTED} when an engine ends,
 * handshaken or not (a refused greeting, a handshake interval that ran out, a receiver that
 * closed or died), emitted before the session lets go of the engine, on the same JeroMQ thread.
 * Both carry the engine's endpoint, the string it was connected with. An engine that ends
 * unhandshaken changes nothing here. An {@code inproc://} endpoint has no engine and no events:
 * its pipe goes straight to the bound socket (or waits for it to bind), so it counts as a
 * receiver connected for good.
 *
 * <p><b>Thread safety:</b> JeroMQ calls {@link #consume(zmq.ZMQ.Event)} on the context's I/O
 * thread (and the socket's owner thread at close), under this watch's lock; {@link #connected()},
 * {@link #handshakes()}, {@link #connects()} and {@link #handshakesAtConnect()} may be read by
 * any thread.
 */
final class PeerWatch implements ZEvent.ZEventConsummer {
  /** The events the watch needs. */
  static final int EVENTS =
      ZMQ.EVENT_CONNECTED | ZMQ.EVENT_HANDSHAKE_PROTOCOL | ZMQ.EVENT_DISCONNECTED;


  private final String connection;
  private final Thread waiter;

  /** Endpoint to its handshaken engines now (one, unless connected twice). Guarded by this. */
  private final Map<String, Integer> up = new HashMap<>();
  /** Handshaken engines now: the sum of {@code up}. Written under this lock. */
  private volatile int connected;
  /** Handshakes completed so far. Written under this lock. */
  private volatile long handshakes;
  /**
   * Connects completed so far (ipc or tcp, before any handshake): the first one, and each
   * reconnect after a receiver went or a handshake timed out. Written under this lock, after
   * {@link #handshakesAtConnect}.
   */
  private volatile long connects;
  /** What {@link #handshakes} was when the latest connect completed. Written under this lock. */
  private volatile long handshakesAtConnect;
  /** Set by stop(); guarded by this. */
  private boolean stopped;

  /**
   * Creates a watch.
   *
   * @param connection names the connection in log lines
   * @param waiter the thread to unpark at each connect and handshake (the connection's I/O
   *     thread)
   * @param inproc how many of the connection's endpoints are inproc (connected for good)
   */
  PeerWatch(String connection, Thread waiter, int inproc) {
    this.connection = connection;
    this.waiter = waiter;
    this.connected = inproc;
  }

  /** Receivers connected now: engines handshaken and not disconnected since. */
  int connected() {
    return connected;
  }

  /** Handshakes completed so far. */
  long handshakes() {
    return handshakes;
  }

  /** Connects completed so far: a connect precedes its engine's handshake. */
  long connects() {
    return connects;
  }

  /**
   * What {@link #handshakes()} was when the latest connect completed; read after {@link
   * #connects()}, it belongs to that connect or a later one.
   */
  long handshakesAtConnect() {
    return handshakesAtConnect;
  }

  /** Ignores the events that follow: the socket is closing. */
  synchronized void stop() {
    stopped = true;
  }

  @Override
  public synchronized void consume(zmq.ZMQ.Event event) {
    if (stopped) {
      return;
    }
    String endpoint = String.valueOf(event.addr);
    switch (event.event) {
      case ZMQ.EVENT_CONNECTED -> {
        handshakesAtConnect = handshakes; // single writer: this lock; before connects
        connects = connects + 1;
        LockSupport.unpark(waiter); // it watches each fresh engine's first handshake
      }
      case ZMQ.EVENT_HANDSHAKE_PROTOCOL -> {
        up.merge(endpoint, 1, Integer::sum);
        connected = connected + 1; // single writer: this lock
        long before = handshakes;
        handshakes = before + 1;
        WarmUpGate.open(); // a fresh process's first message is on its way: codecs may warm up
        if (before > 0 && Logs.remote().isLoggable(Level.DEBUG)) {
          Logs.remote().log(Level.DEBUG, "connection to " + connection + ": a receiver at " + endpoint
              + " completed a handshake again; what ZeroMQ held for it goes to it now");
        }
        LockSupport.unpark(waiter);
      }
      case ZMQ.EVENT_DISCONNECTED -> {
        Integer n = up.get(endpoint);
        if (n == null) {
          return; // that engine never handshook
        }
        if (n == 1) {
          up.remove(endpoint);
        } else {
          up.put(endpoint, n - 1);
        }
        connected = connected - 1;
        if (Logs.remote().isLoggable(Level.DEBUG)) {
          Logs.remote().log(Level.DEBUG, "connection to " + connection + ": the receiver at " + endpoint
              + " disconnected" + (connected == 0 ? "; no receiver is connected: messages sent"
              + " from now on wait in ZeroMQ for one to come back, and are counted as discarded"
              + " if none does before the connection closes and its linger ends" : ""));
        }
      }
      default -> {
        // not asked for
      }
    }
  }

  /**
   * Not called: JeroMQ calls {@link #consume(zmq.ZMQ.Event)}, which this class overrides.
   *
   * @param event an event
   */
  @Override
  public void consume(ZEvent event) {
    throw new UnsupportedOperationException("PeerWatch reads zmq.ZMQ.Event directly");
  }
}
