package dev.mailboxthreads.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A plain TCP proxy on loopback for tests: accepts connections on an ephemeral port, opens one
 * to the target for each, forwards bytes both ways, and records every byte it forwards (both
 * directions, in one capture). What a network observer between the peers would see.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread. One platform thread
 * accepts, two per connection copy; {@link #close()} closes every socket and joins them all.
 */
final class TcpRelay implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Thread acceptor;
  private final List<Thread> pumps = new ArrayList<>(); // guarded by itself
  private final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
  /** Guarded by itself. */
  private final ByteArrayOutputStream capture = new ByteArrayOutputStream();
  private volatile boolean closed;

  /**
   * Starts relaying to {@code targetEndpoint}.
   *
   * @param targetEndpoint {@code tcp://127.0.0.1:PORT}
   */
  TcpRelay(String targetEndpoint) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(),
        EndpointTest.port(targetEndpoint));
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = Thread.ofPlatform().name("test-relay-accept").start(this::accept);
  }

  /** The endpoint to connect to instead of the target. */
  String endpoint() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** Every byte forwarded so far, both directions interleaved in arrival order. */
  byte[] captured() {
    synchronized (capture) {
      return capture.toByteArray();
    }
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      Socket upstream = new Socket();
      sockets.add(upstream);
      try {
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      synchronized (pumps) {
        if (closed) {
          closeQuietly(client);
          closeQuietly(upstream);
          return;
        }
        pumps.add(Thread.ofPlatform().name("test-relay-up").start(() -> pump(client, upstream)));
        pumps.add(Thread.ofPlatform().name("test-relay-down").start(() -> pump(upstream, client)));
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try {
      var in = from.getInputStream();
      var out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        synchronized (capture) {
          capture.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    join(acceptor);
    sockets.forEach(TcpRelay::closeQuietly);
    List<Thread> all;
    synchronized (pumps) {
      all = List.copyOf(pumps);
    }
    for (Thread t : all) {
      join(t);
    }
  }

  /** Joins, keeping an interrupt for the caller. */
  private static void join(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
