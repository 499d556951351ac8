package dev.mailboxthreads.mbt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until something accepts connections at endpoints: a plain TCP connect to HOST:PORT, or a
 * Unix-socket connect to an ipc path, closed at once. This is how {@code produce} and {@code
 * ping} tell "nobody is listening" from "sent": ZeroMQ queues messages for an endpoint nobody
 * listens on and never says so (the library's socket monitor is internal).
 *
 * <p>A publication counts a connection that ends before the ZMTP greetings were exchanged as a
 * failed handshake ({@code PublicationStats.failedHandshakes}, with a WARNING): that is how a
 * CURVE/plain mismatch shows. So the probe is a polite ZMTP peer: once connected it sends a
 * ZMTP 3.0 greeting for the NULL mechanism (no security, as every mbt connection), reads the
 * publication's greeting and the start of its READY, closes its side, and reads until the
 * publication closes, up to {@value #GREETING_MILLIS} ms. A CURVE
 * publication counts the probe as failed (mbt speaks no CURVE yet): true, and harmless.
 *
 * <p>What a successful probe proves: a process accepts connections there. Not that it is a
 * published thread, and not that it will take the messages: delivery stays at most once.
 */
final class Reachability {
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long LAST_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int MAX_CONNECT_MILLIS = 1000;
  /** How long the probe waits for the publication to close after the greetings, at most. */
  private static final int GREETING_MILLIS = 1000;
  /** ZMTP 3.0 (RFC 23): signature, version 3.0, mechanism "NULL", as-server 0, filler. */
  private static final byte[] GREETING = greeting();

  private static byte[] greeting() {
    byte[] g = new byte[64];
    g[0] = (byte) 0xFF;
    g[9] = 0x7F;
    g[10] = 3;
    byte[] mechanism = "NULL".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(mechanism, 0, g, 12, mechanism.length);
    return g;
  }

  private Reachability() {}

  /**
   * Probes every endpoint until each accepts a connection or the deadline passes.
   *
   * @param endpoints endpoints to connect to (no wildcard)
   * @param deadlineNanos a {@link System#nanoTime()} deadline
   * @return for every endpoint that did not accept by the deadline, why (insertion order); empty
   *     when all did
   */
  static Map<Endpoint, String> await(List<Endpoint> endpoints, long deadlineNanos) {
    Map<Endpoint, String> pending = new LinkedHashMap<>();
    for (Endpoint e : endpoints) {
      pending.put(e, "not tried");
    }
    for (boolean first = true; ; first = false) {
      for (Map.Entry<Endpoint, String> entry : pending.entrySet()) {
        // a last attempt with almost no time left would only say "timed out"
        if (first || deadlineNanos - System.nanoTime() > LAST_ATTEMPT_NANOS) {
          entry.setValue(probe(entry.getKey(), deadlineNanos));
        }
      }
      pending.values().removeIf(why -> why == null);
      long left = deadlineNanos - System.nanoTime();
      if (pending.isEmpty() || left <= 0) {
        return pending;
      }
      LockSupport.parkNanos(Math.min(RETRY_NANOS, left));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return pending;
      }
    }
  }

  /** One attempt: null when something accepted, else why not. */
  private static String probe(Endpoint endpoint, long deadlineNanos) {
    return endpoint.isTcp() ? probeTcp(endpoint, deadlineNanos) : probeIpc(endpoint);
  }

  private static String probeTcp(Endpoint endpoint, long deadlineNanos) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(endpoint.host());
    } catch (UnknownHostException e) {
      return "unknown host '" + endpoint.host() + "'";
    }
    String why = "connection refused";
    for (InetAddress address : addresses) {
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      int timeout = (int) Math.max(1, Math.min(MAX_CONNECT_MILLIS, leftMillis));
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(address, endpoint.port()), timeout);
        greetTcp(socket, deadlineNanos);
        return null;
      } catch (IOException e) {
        why = describe(e);
      }
    }
    return why;
  }

  private static String probeIpc(Endpoint endpoint) {
    if (!Files.exists(endpoint.path())) {
      return "no socket file at " + endpoint.path();
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(endpoint.path()));
      greetIpc(channel);
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return describe(e);
    }
  }

  /**
   * Sends the greeting, reads the publication's greeting and the first byte after it (the
   * start of its READY command, which it sends only once it has taken our greeting), then
   * closes our side (FIN) and reads until the publication closes, so that nothing is left unread
   * and the close is not a reset. Best effort: the connection was accepted whatever happens.
   */
  private static void greetTcp(Socket socket, long deadlineNanos) {
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    try {
      socket.setSoTimeout((int) Math.max(1, Math.min(GREETING_MILLIS, leftMillis)));
      socket.getOutputStream().write(GREETING);
      var in = socket.getInputStream();
      if (in.readNBytes(GREETING.length + 1).length <= GREETING.length) {
        return; // not a ZMTP peer that took our greeting
      }
      socket.shutdownOutput();
      byte[] sink = new byte[256];
      while (in.read(sink) >= 0) {
        // the rest of its READY; it closes once it sees our end
      }
    } catch (IOException e) {
      // not a publication, or a slow one: the probe still proved that something accepts
    }
  }

  private static void greetIpc(SocketChannel channel) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GREETING_MILLIS);
    try (Selector selector = Selector.open()) {
      channel.write(ByteBuffer.wrap(GREETING)); // 64 bytes fit in any socket buffer
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ);
      ByteBuffer sink = ByteBuffer.allocate(256);
      long read = 0;
      boolean shut = false;
      for (;;) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        selector.select(left);
        selector.selectedKeys().clear();
        sink.clear();
        int n = channel.read(sink);
        if (n < 0) {
          return; // the publication closed
        }
        read += n;
        if (!shut && read > GREETING.length) {
          channel.shutdownOutput(); // as for tcp: once it has taken our greeting
          shut = true;
        }
      }
    } catch (IOException e) {
      // as for tcp: best effort
    }
  }

  private static String describe(Exception e) {
    if (e instanceof SocketTimeoutException) {
      return "no answer to connecting: a firewall, or a host that is down?";
    }
    String message = e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    return message.toLowerCase(java.util.Locale.ROOT).startsWith("connection refused")
        ? "connection refused"
        : message;
  }

  /** "within 10s" for messages. */
  static String within(Duration timeout) {
    return "within " + Durations.format(timeout);
  }
}
