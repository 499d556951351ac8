package dev.mailboxthreads.mbt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until something accepts connections at endpoints: a plain TCP connect to HOST:PORT, or a
 * Unix-socket connect to an ipc path. This is how {@code produce} tells "nobody is listening"
 * from "sent": ZeroMQ queues messages for an endpoint nobody listens on and never says so (the
 * library's socket monitor is internal).
 *
 * <p>A publication counts a connection that ends before the ZMTP greetings were exchanged as a
 * failed handshake ({@code PublicationStats.failedHandshakes}, with a WARNING): that is how a
 * CURVE/plain mismatch shows. So the probe is a complete ZMTP 3.0 peer, as a PUSH socket with the
 * NULL mechanism (no security, as every mbt connection) is: it sends its greeting, reads the
 * publication's, sends a READY command (Socket-Type PUSH), reads the publication's READY, then
 * closes its side and reads until the publication closes. By then the publication has seen a
 * whole handshake and a peer that left, and has ended that connection. It waits for each step
 * up to {@value #TALK_MILLIS} ms (or the deadline, if sooner): a fresh consumer on a loaded
 * machine can take more than a second to answer its first connection, and a probe that gave up
 * earlier was counted as a failed handshake. A CURVE publication counts the probe as failed
 * (mbt speaks no CURVE yet): true, and harmless.
 *
 * <p>What a successful probe proves: a process accepts connections there. Not that it is a
 * published thread, and not that it will take the messages: delivery stays at most once.
 */
final class Reachability {
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long LAST_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int MAX_CONNECT_MILLIS = 1000;
  /** How long the probe talks with an endpoint that accepted, at most. */
  static final int TALK_MILLIS = 10_000;
  /** ZMTP 3.0 (RFC 23): signature, version 3.0, mechanism "NULL", as-server 0, filler. */
  private static final byte[] GREETING = greeting();
  /** A NULL READY command (RFC 23): short command frame, "READY", Socket-Type = PUSH. */
  private static final byte[] READY = ready();
  /** Longest READY command body the probe reads from a peer; longer is not a publication. */
  private static final int MAX_COMMAND_BYTES = 4096;

  /** How a conversation with an endpoint that accepted the connection went. */
  enum Talk {
    /**
     * Greetings (NULL) and READY commands exchanged, then the peer closed once the probe closed
     * its side: the peer saw a whole handshake, and has ended the connection.
     */
    COMPLETED,
    /** The peer answered with something that is not a ZMTP 3 greeting or command. */
    NOT_ZMTP,
    /** A ZMTP peer with another security mechanism (CURVE), or one that sent ERROR. */
    REFUSED,
    /** The peer closed or reset the connection before the end of the conversation. */
    CUT,
    /** The peer did not answer, or did not close, in time. */
    NO_ANSWER
  }

  private static byte[] greeting() {
    byte[] g = new byte[64];
    g[0] = (byte) 0xFF;
    g[9] = 0x7F;
    g[10] = 3;
    byte[] mechanism = "NULL".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(mechanism, 0, g, 12, mechanism.length);
    return g;
  }

  private static byte[] ready() {
    ByteBuffer body = ByteBuffer.allocate(64);
    putShortString(body, "READY");
    putShortString(body, "Socket-Type");
    byte[] value = "PUSH".getBytes(StandardCharsets.US_ASCII);
    body.putInt(value.length).put(value);
    body.flip();
    byte[] frame = new byte[2 + body.remaining()];
    frame[0] = 0x04; // command, short size
    frame[1] = (byte) body.remaining();
    body.get(frame, 2, body.remaining());
    return frame;
  }

  private static void putShortString(ByteBuffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    b.put((byte) bytes.length).put(bytes);
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

  /** One attempt: null when something accepted (however the talk went), else why not. */
  private static String probe(Endpoint endpoint, long deadlineNanos) {
    try {
      talk(endpoint, deadlineNanos);
      return null;
    } catch (UnknownHostException e) {
      return "unknown host '" + endpoint.host() + "'";
    } catch (NoSuchFileException e) {
      return "no socket file at " + endpoint.path();
    } catch (IOException | UnsupportedOperationException e) {
      return describe(e);
    }
  }

  /**
   * Connects to {@code endpoint} (each address of a tcp host in turn, each connect up to
   * {@value #MAX_CONNECT_MILLIS} ms) and talks ZMTP with it (see the class notes).
   *
   * @param endpoint where to connect
   * @param deadlineNanos a {@link System#nanoTime()} deadline for the connect and the talk
   * @return how the talk went
   * @throws IOException if nothing accepted the connection (the last address's failure)
   */
  static Talk talk(Endpoint endpoint, long deadlineNanos) throws IOException {
    if (!endpoint.isTcp()) {
      if (!Files.exists(endpoint.path())) {
        throw new NoSuchFileException(endpoint.path().toString());
      }
      try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
          Selector selector = Selector.open()) {
        channel.connect(UnixDomainSocketAddress.of(endpoint.path())); // at once, or refused
        return converse(channel, selector, deadlineNanos);
      }
    }
    IOException last = null;
    for (InetAddress address : InetAddress.getAllByName(endpoint.host())) {
      try (SocketChannel channel = SocketChannel.open();
          Selector selector = Selector.open()) {
        connect(channel, selector, new InetSocketAddress(address, endpoint.port()), deadlineNanos);
        return converse(channel, selector, deadlineNanos);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last != null ? last : new UnknownHostException(endpoint.host());
  }

  private static void connect(SocketChannel channel, Selector selector, InetSocketAddress address,
      long deadlineNanos) throws IOException {
    long end = Math.min(deadlineNanos,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_CONNECT_MILLIS));
    channel.configureBlocking(false);
    if (channel.connect(address)) {
      return;
    }
    SelectionKey key = channel.register(selector, SelectionKey.OP_CONNECT);
    while (!channel.finishConnect()) { // throws ConnectException when refused
      if (!select(selector, end)) {
        throw new SocketTimeoutException("connect timed out");
      }
    }
    key.interestOps(0);
  }

  /**
   * The ZMTP conversation on a connected channel: greeting, READY, close, read until the peer
   * closes. Each wait ends at the deadline or {@value #TALK_MILLIS} ms from now, the sooner.
   */
  private static Talk converse(SocketChannel channel, Selector selector, long deadlineNanos) {
    long end = Math.min(deadlineNanos,
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TALK_MILLIS));
    try {
      channel.configureBlocking(false);
      SelectionKey key = channel.keyFor(selector) != null
          ? channel.keyFor(selector) : channel.register(selector, 0);
      if (!write(channel, key, GREETING, end)) {
        return Talk.NO_ANSWER;
      }
      ByteBuffer greeting = ByteBuffer.allocate(GREETING.length);
      Talk t = read(channel, key, greeting, end);
      if (t != null) {
        return t;
      }
      byte[] g = greeting.array();
      if (g[0] != (byte) 0xFF || (g[9] & 1) != 1 || g[10] < 3) {
        return Talk.NOT_ZMTP;
      }
      if (!Arrays.equals(g, 12, 32, GREETING, 12, 32)) {
        return Talk.REFUSED; // another mechanism: the peer drops the connection itself
      }
      if (!write(channel, key, READY, end)) {
        return Talk.NO_ANSWER;
      }
      t = readReady(channel, key, end);
      if (t != null) {
        return t;
      }
      channel.shutdownOutput(); // as a peer that leaves: the publication ends the connection
      ByteBuffer sink = ByteBuffer.allocate(256);
      for (;;) {
        sink.clear();
        t = read(channel, key, sink, end);
        if (t == Talk.CUT) {
          return Talk.COMPLETED; // its end of the stream: it closed the connection
        }
        if (t == Talk.NO_ANSWER) {
          return t;
        }
      }
    } catch (IOException e) {
      return Talk.CUT;
    }
  }

  /** Reads the peer's first command, which must be READY; null when it was. */
  private static Talk readReady(SocketChannel channel, SelectionKey key, long end)
      throws IOException {
    ByteBuffer head = ByteBuffer.allocate(2);
    Talk t = read(channel, key, head, end);
    if (t != null) {
      return t;
    }
    int flags = head.get(0);
    if ((flags & 0x04) == 0) {
      return Talk.NOT_ZMTP; // a message before the handshake's command
    }
    long size;
    if ((flags & 0x02) == 0) {
      size = head.get(1) & 0xFF;
    } else {
      ByteBuffer rest = ByteBuffer.allocate(7);
      t = read(channel, key, rest, end);
      if (t != null) {
        return t;
      }
      size = ByteBuffer.allocate(8).put(head.get(1)).put(rest.flip()).flip().getLong();
    }
    if (size < 6 || size > MAX_COMMAND_BYTES) {
      return Talk.NOT_ZMTP;
    }
    ByteBuffer body = ByteBuffer.allocate((int) size);
    t = read(channel, key, body, end);
    if (t != null) {
      return t;
    }
    String name = new String(body.array(), 1, Math.min(body.get(0) & 0xFF, (int) size - 1),
        StandardCharsets.US_ASCII);
    return name.equals("READY") ? null : Talk.REFUSED; // ERROR: it refused us
  }

  /** Fills {@code buffer}; null when full, CUT at the end of the stream, NO_ANSWER at end. */
  private static Talk read(SocketChannel channel, SelectionKey key, ByteBuffer buffer, long end)
      throws IOException {
    key.interestOps(SelectionKey.OP_READ);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer);
      if (n < 0) {
        return Talk.CUT;
      }
      if (n == 0 && !select(key.selector(), end)) {
        return Talk.NO_ANSWER;
      }
    }
    return null;
  }

  /** Writes all of {@code bytes}; false if the peer took them too slowly. */
  private static boolean write(SocketChannel channel, SelectionKey key, byte[] bytes, long end)
      throws IOException {
    key.interestOps(SelectionKey.OP_WRITE);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      if (channel.write(b) == 0 && !select(key.selector(), end)) {
        return false;
      }
    }
    return true;
  }

  /** Waits for the selector's keys until {@code end}; false once it has passed. */
  private static boolean select(Selector selector, long end) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
    if (left <= 0) {
      return false;
    }
    selector.select(left);
    selector.selectedKeys().clear();
    return true;
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
