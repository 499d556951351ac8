package dev.mailboxthreads.benchmarks.remote;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.zeromq.ZMQ;

/** Where the tests bind, on the transport chosen; every call gives a fresh endpoint. */
final class Endpoints {
  private final Options.Transport transport;
  private final Path ipcDirectory;
  private final AtomicInteger next = new AtomicInteger();

  /**
   * @param transport tcp or ipc
   * @param ipcDirectory a private temporary directory for ipc socket files; null for tcp
   */
  Endpoints(Options.Transport transport, Path ipcDirectory) {
    this.transport = transport;
    this.ipcDirectory = ipcDirectory;
  }

  /** An endpoint to bind: tcp on 127.0.0.1 with an ephemeral port, or a new ipc socket file. */
  String bind(String name) {
    return switch (transport) {
      case TCP -> "tcp://127.0.0.1:*";
      case IPC -> "ipc://" + ipcDirectory.resolve(name + "-" + next.incrementAndGet());
    };
  }

  /**
   * Gives a raw connecting socket the settings our SenderLoop gives its own (keep the two in
   * step), so that both contestants survive JeroMQ 0.7.0's lost-registration bug the same way
   * (an ipc connect hits it about half the time; without a short handshake interval the socket
   * stalls for 30 s).
   */
  static void tuneConnecting(ZMQ.Socket socket, String endpoint) {
    boolean ipc = endpoint.startsWith("ipc:");
    socket.setHandshakeIvl(ipc ? 200 : 2000);
    socket.setReconnectIVL(ipc ? 10 : 100);
    socket.setReconnectIVLMax(2000);
  }
}
