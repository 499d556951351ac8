package dev.mailboxthreads.mbt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
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
 * listens on and never says so (the library's socket monitor is internal). A publication sees
 * such a probe as a connection that closes before its handshake, and ignores it.
 *
 * <p>What a successful probe proves: a process accepts connections there. Not that it is a
 * published thread, and not that it will take the messages: delivery stays at most once.
 */
final class Reachability {
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long LAST_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int MAX_CONNECT_MILLIS = 1000;

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
      return null;
    } catch (IOException | UnsupportedOperationException e) {
      return describe(e);
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
