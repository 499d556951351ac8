package dev.mailboxthreads.remote.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP relay between a ZeroMQ peer and a publication, on loopback, that a test can make
 * misbehave: {@link #stall()} stops forwarding bytes in both directions (they wait in the relay
 * and the kernel's buffers, as behind a congested or frozen middlebox) until {@link #resume()};
 * {@link #cut()} resets every connection open now (RST, as a middlebox that drops its state).
 * New connections are accepted all along, so a peer that reconnects gets through again.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. One acceptor thread and
 * two pump threads per connection, all platform daemon threads, ended by {@link #close()}.
 */
final class TcpRelay implements AutoCloseable {
  /*
   * Implementation notes: `stalled` is guarded by `lock`; pumps check it before each write and
   * wait on `unstalled`. `links` holds the socket pairs open now, guarded by `lock`; cut() and
   * close() reset them, which ends their pumps with a SocketException.
   */
  /**
   * The receive buffer of the accepted (client-side) sockets. It must stay well above the
   * loopback MSS (65,483 bytes): with 16 KiB, Linux sometimes advertised a 12,468-byte window,
   * smaller than the sending socket's MSS (12,987 to 13,507 bytes), and a sender with megabytes
   * queued then only sent through the persist timer, one window per ~200 ms (about 60 KB/s),
   * which looked like a connection that never recovers from a stall (issue 7).
   * docs/reliability.md has the evidence.
   */
  static final int RECEIVE_BUFFER_BYTES = 256 << 10;

  private static final int UPSTREAM_SEND_BUFFER_BYTES = 16 << 10;

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition unstalled = lock.newCondition();
  /** Guarded by lock. */
  private boolean stalled;
  /** Guarded by lock. */
  private boolean closed;
  /** Open socket pairs, client then target; guarded by lock. */
  private final List<Socket[]> links = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong forwardedBytes = new AtomicLong();
  private final Thread acceptor;

  /**
   * Starts relaying from an ephemeral loopback port to {@code targetPort} on loopback, with a
   * receive buffer of {@link #RECEIVE_BUFFER_BYTES}, or {@code -Drelay.rcvbuf} if set (to see
   * the old 16 KiB buffer's crawl in {@code RelayFaultTest}).
   *
   * @param targetPort the publication's port
   */
  TcpRelay(int targetPort) throws IOException {
    this(targetPort, Integer.getInteger("relay.rcvbuf", RECEIVE_BUFFER_BYTES));
  }

  /**
   * Starts relaying with the given receive buffer on the client side; {@code
   * RelayWindowStallReproTest} uses a small one to show the TCP crawl described at {@link
   * #RECEIVE_BUFFER_BYTES}.
   *
   * @param targetPort the publication's port
   * @param receiveBufferBytes SO_RCVBUF of the accepted sockets
   */
  TcpRelay(int targetPort, int receiveBufferBytes) throws IOException {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    server = new ServerSocket();
    // a fixed window (no autotuning), so that a stall backs up into the sender within a second
    // or two; not below the loopback MSS (see RECEIVE_BUFFER_BYTES)
    server.setReceiveBufferSize(receiveBufferBytes);
    server.bind(new InetSocketAddress(loopback, 0), 50);
    target = new InetSocketAddress(loopback, targetPort);
    acceptor = Thread.ofPlatform().daemon().name("relay-accept").start(this::acceptLoop);
  }

  /** The endpoint peers connect to instead of the publication's. */
  String endpoint() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Where each relay thread is now, for failure messages. */
  String threadStates() {
    StringBuilder b = new StringBuilder();
    List<Thread> all;
    lock.lock();
    try {
      all = List.copyOf(threads);
    } finally {
      lock.unlock();
    }
    for (Thread t : all) {
      StackTraceElement[] stack = t.getStackTrace();
      b.append(t.getName()).append(' ').append(t.getState());
      for (int i = 0; i < Math.min(4, stack.length); i++) {
        b.append(" < ").append(stack[i]);
      }
      b.append("; ");
    }
    return b.toString();
  }

  /** Bytes forwarded so far, both directions. */
  long forwardedBytes() {
    return forwardedBytes.get();
  }

  /** Stops forwarding until {@link #resume()}. */
  void stall() {
    lock.lock();
    try {
      stalled = true;
    } finally {
      lock.unlock();
    }
  }

  /** Forwards again, starting with what was held. */
  void resume() {
    lock.lock();
    try {
      stalled = false;
      unstalled.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Resets every connection open now, both halves, with RST.
   *
   * @return how many connections were cut
   */
  int cut() {
    List<Socket[]> now;
    lock.lock();
    try {
      now = List.copyOf(links);
      links.clear();
    } finally {
      lock.unlock();
    }
    for (Socket[] link : now) {
      reset(link[0]);
      reset(link[1]);
    }
    return now.size();
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket upstream = new Socket();
      try {
        upstream.setSendBufferSize(UPSTREAM_SEND_BUFFER_BYTES);
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        reset(client);
        continue;
      }
      accepted.incrementAndGet();
      Socket[] link = {client, upstream};
      lock.lock();
      try {
        if (closed) {
          reset(client);
          reset(upstream);
          return;
        }
        links.add(link);
        threads.add(Thread.ofPlatform().daemon().name("relay-up")
            .start(() -> pump(client, upstream, link)));
        threads.add(Thread.ofPlatform().daemon().name("relay-down")
            .start(() -> pump(upstream, client, link)));
      } finally {
        lock.unlock();
      }
    }
  }

  private void pump(Socket from, Socket to, Socket[] link) {
    byte[] buffer = new byte[16 << 10];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) != -1; ) {
        awaitNotStalled();
        out.write(buffer, 0, n);
        forwardedBytes.addAndGet(n);
      }
    } catch (SocketException e) {
      // reset by cut() or close(), or by a peer
    } catch (IOException e) {
      // the link is broken either way
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reset(link[0]);
      reset(link[1]);
      lock.lock();
      try {
        links.remove(link);
      } finally {
        lock.unlock();
      }
    }
  }

  private void awaitNotStalled() throws InterruptedException {
    lock.lock();
    try {
      while (stalled && !closed) {
        unstalled.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Stops accepting, resets every connection, and waits for the relay's threads (bounded). */
  @Override
  public void close() {
    List<Thread> all;
    lock.lock();
    try {
      closed = true;
      unstalled.signalAll();
      all = List.copyOf(threads);
    } finally {
      lock.unlock();
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cut();
    boolean interrupted = false;
    for (Thread t : concat(acceptor, all)) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting for the others; restore the status at the end
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<Thread> concat(Thread first, List<Thread> rest) {
    List<Thread> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }
}
