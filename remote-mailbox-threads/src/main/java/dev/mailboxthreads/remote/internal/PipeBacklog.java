package dev.mailboxthreads.remote.internal;

import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.zeromq.ZMQ;

/**
 * How many messages a socket's outbound pipes hold: written by the socket and not yet read by
 * their sessions for an engine to send. Those are what ZeroMQ keeps for a receiver that went
 * away (the pipe outlives the engine), and drops when the socket closes with linger 0.
 *
 * <p>JeroMQ 0.7.0 has no API for it, so this reads four of its private fields by reflection:
 * {@code zmq.SocketBase.pipes} (the socket's pipes), and for each pipe {@code
 * zmq.pipe.Pipe.msgsWritten} (messages the socket wrote), {@code peer} (the session's end) and
 * the peer's {@code msgsRead} (messages the session read). Fragile by nature: another JeroMQ
 * version may rename them, and a JeroMQ on the module path does not open its packages. If any
 * is missing or unreadable, this says so in one log line (INFO, once per JVM) and answers
 * "unknown" from then on; connections then count only what they track themselves.
 *
 * <p><b>Thread safety:</b> call only from the socket's owner thread, which alone touches its
 * pipe set and writes {@code msgsWritten}. {@code msgsRead} is written by JeroMQ's I/O thread
 * and read here without synchronization: racy, but benign where it is used. Once the engine is
 * gone (the receiver disconnected) nothing reads the pipe, so the value is settled, and the
 * caller has seen the disconnect through PeerWatch's volatile state, written by that I/O thread
 * after its last read; while a receiver is connected the figure is a moment's snapshot, never
 * more than the pipe held.
 */
final class PipeBacklog {
  /** Whether the one log line was written. */
  private static final AtomicBoolean LOGGED = new AtomicBoolean();

  private static final Field PIPES;
  private static final Field WRITTEN;
  private static final Field READ;
  private static final Field PEER;
  /** False once reflection failed; then every answer is "unknown". */
  private static volatile boolean available;

  static {
    Field pipes = null;
    Field written = null;
    Field read = null;
    Field peer = null;
    try {
      pipes = accessible(zmq.SocketBase.class.getDeclaredField("pipes"));
      written = accessible(zmq.pipe.Pipe.class.getDeclaredField("msgsWritten"));
      read = accessible(zmq.pipe.Pipe.class.getDeclaredField("msgsRead"));
      peer = accessible(zmq.pipe.Pipe.class.getDeclaredField("peer"));
      available = Collection.class.isAssignableFrom(pipes.getType())
          && written.getType() == long.class && read.getType() == long.class
          && peer.getType() == zmq.pipe.Pipe.class;
      if (!available) {
        unavailable("their types changed", null);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable("they cannot be read", e);
    }
    PIPES = pipes;
    WRITTEN = written;
    READ = read;
    PEER = peer;
  }

  private PipeBacklog() {}

  private static Field accessible(Field f) {
    f.setAccessible(true);
    return f;
  }

  private static void unavailable(String why, Throwable cause) {
    available = false;
    if (LOGGED.getAndSet(true)) {
      return;
    }
    Logs.remote().log(Level.INFO, "JeroMQ's pipe counters (SocketBase.pipes, Pipe.msgsWritten, Pipe.msgsRead,"
        + " Pipe.peer) are not available here (" + why + "): a connection whose receiver went"
        + " away counts as discarded at close only the messages sent after it went, not those"
        + " ZeroMQ still held for it then (docs/remote.md)", cause);
  }

  /**
   * Messages in the socket's outbound pipes, all pipes together.
   *
   * @param socket the socket; call only from its owner thread
   * @return the count, or -1 if unknown
   */
  static long messages(ZMQ.Socket socket) {
    if (!available) {
      return -1;
    }
    try {
      long n = 0;
      for (Object pipe : (Collection<?>) PIPES.get(socket.base())) {
        Object peer = PEER.get(pipe);
        if (peer != null) {
          n += Math.max(0, WRITTEN.getLong(pipe) - READ.getLong(peer));
        }
      }
      return n;
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable("reading them failed", e);
      return -1;
    }
  }

  /**
   * How many outbound pipes the socket has (one per connected endpoint, as JeroMQ keeps a pipe
   * through reconnects).
   *
   * @param socket the socket; call only from its owner thread
   * @return the count, or -1 if unknown
   */
  static int pipes(ZMQ.Socket socket) {
    if (!available) {
      return -1;
    }
    try {
      return ((Collection<?>) PIPES.get(socket.base())).size();
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable("reading them failed", e);
      return -1;
    }
  }
}
