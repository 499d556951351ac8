package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.remote.RemoteMailboxException;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/** Turns JeroMQ failures into exceptions that name the endpoint and say what to do. */
final class ZmqErrors {
  private ZmqErrors() {}

  /** For a failed bind (bind returned false or threw). */
  static RemoteMailboxException bindFailed(String endpoint, int errno, Throwable cause) {
    String why = switch (errno) {
      case ZError.EADDRINUSE -> "the address is in use (another process or publication is bound"
          + " there); pick another port or path, or use tcp://HOST:* for a free port";
      case ZError.EADDRNOTAVAIL -> "no local interface has that address; use 127.0.0.1, * or"
          + " an address of this machine";
      case ZError.EACCESS -> "permission denied; use a port above 1023 or a writable path";
      case ZError.EPROTONOSUPPORT -> "the transport is not supported; use tcp://, ipc:// or"
          + " inproc://";
      case ZError.EINVAL -> "the endpoint is invalid (unknown host name or malformed address)";
      case ZError.ENOENT -> "the directory of the ipc path does not exist";
      default -> "ZeroMQ error " + errno + " (" + ZError.toString(errno) + ")";
    };
    return new RemoteMailboxException("cannot publish on '" + endpoint + "': " + why, cause);
  }

  /** For a failed connect. */
  static RemoteMailboxException connectFailed(String endpoint, int errno, Throwable cause) {
    String why = switch (errno) {
      case ZError.EINVAL -> "the endpoint is invalid (unknown host name or malformed address)";
      case ZError.EPROTONOSUPPORT -> "the transport is not supported; use tcp://, ipc:// or"
          + " inproc://";
      default -> "ZeroMQ error " + errno + " (" + ZError.toString(errno) + ")";
    };
    return new RemoteMailboxException("cannot connect to '" + endpoint + "': " + why, cause);
  }

  static int errno(ZMQ.Socket socket, Throwable thrown) {
    if (thrown instanceof ZMQException z) {
      return z.getErrorCode();
    }
    return socket.errno();
  }
}
