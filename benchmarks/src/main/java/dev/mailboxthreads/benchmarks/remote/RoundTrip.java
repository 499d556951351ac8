package dev.mailboxthreads.benchmarks.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import java.util.Arrays;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Round trip: a client thread of the sending JVM sends a request and waits for the reply from
 * a server thread of the receiving JVM, one at a time; each round trip is timed on the client
 * with System.nanoTime.
 *
 * <ul>
 *   <li>ours, through two mailboxes: the client sends to the server's {@link RemoteThread};
 *       the server thread, published in the receiver, takes the request with {@code receive}
 *       and sends it back through a {@link RemoteThread} connected to the client's own
 *       publication; the client takes the reply with {@code receive}. Four I/O loops and two
 *       ZeroMQ I/O threads per round trip.
 *   <li>raw: a REQ socket in the client, {@code send(bytes, 0)} then {@code recv(0)}, and a REP
 *       socket in the server that echoes.
 *   <li>raw pair: the same with our topology, a PUSH/PULL pair each way (each side binds a PULL
 *       and connects a PUSH to the other's): two TCP connections, where REQ/REP uses one.
 *   <li>libzmq: the same REQ/REP in C, between two processes of their own ({@link Libzmq}).
 * </ul>
 *
 * Every reply is checked. Requests and replies carry the payload.
 */
final class RoundTrip {
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  private RoundTrip() {}

  /** One round's round-trip times, sorted, in nanoseconds. */
  record Result(long[] sortedNanos) {
    static Result of(long[] nanos) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      return new Result(sorted);
    }

    /** Nearest-rank percentile, q in (0, 1], in microseconds. */
    double percentileMicros(double q) {
      int rank = (int) Math.ceil(q * sortedNanos.length);
      return sortedNanos[Math.max(0, Math.min(sortedNanos.length, rank) - 1)] / 1e3;
    }
  }

  static Result run(Options.Contestant contestant, ReceiverJvm receiver, Endpoints endpoints,
      Options options) {
    return switch (contestant) {
      case OURS, OURS_MSGPACK -> ours(receiver, endpoints, options, contestant.codec(options));
      case RAW -> raw(receiver, endpoints, options);
      case RAW_PAIR -> rawPair(receiver, endpoints, options);
      case PEKKO -> PekkoRemote.roundTrip(receiver, options);
      case LIBZMQ -> Libzmq.roundTrip(endpoints, options);
    };
  }

  // ------------------------------------------------------------------ client JVM

  static Result ours(ReceiverJvm receiver, Endpoints endpoints, Options o, Options.Codec codec) {
    int warmup = o.roundTripWarmup();
    int total = warmup + o.roundTrips();
    String payload = Payload.string(o.payloadBytes());
    long[] nanos = new long[o.roundTrips()];
    try (RemoteContext context = RemoteContext.create()) {
      Jvm.onFreshThread("rtt-client", () -> {
        Publication mine = context.publish(Thread.currentThread(),
            codec.publishOptions(o.highWaterMark()), endpoints.bind("rtt-client"));
        receiver.command("rtt-ours", endpoints.bind("rtt-server"), mine.endpoints().get(0),
            total, o.highWaterMark(), codec);
        RemoteThread server = context.connect(codec.connectOptions(o.highWaterMark()),
            receiver.await("bound", ReceiverJvm.SETUP));
        for (int i = 0; i < total; i++) {
          long t = System.nanoTime();
          send(server, payload);
          Object reply = receive(i == 0 ? ReceiverJvm.SETUP : REPLY_TIMEOUT);
          long dt = System.nanoTime() - t;
          if (!payload.equals(reply)) {
            throw new BenchFailure("rtt ours: reply " + i + " is wrong: " + reply);
          }
          if (i >= warmup) {
            nanos[i - warmup] = dt;
          }
        }
        receiver.await("done", ReceiverJvm.SETUP);
        return null;
      });
    }
    return Result.of(nanos);
  }

  static Result raw(ReceiverJvm receiver, Endpoints endpoints, Options o) {
    int warmup = o.roundTripWarmup();
    int total = warmup + o.roundTrips();
    byte[] payload = Payload.bytes(o.payloadBytes());
    long[] nanos = new long[o.roundTrips()];
    receiver.command("rtt-raw", endpoints.bind("rtt-server"), total);
    String endpoint = receiver.await("bound", ReceiverJvm.SETUP);
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket req = receiving(context, SocketType.REQ, 0);
      Endpoints.tuneConnecting(req, endpoint);
      req.connect(endpoint);
      timeRawRoundTrips("raw", req, req, payload, warmup, nanos);
      receiver.await("done", ReceiverJvm.SETUP);
    }
    return Result.of(nanos);
  }

  static Result rawPair(ReceiverJvm receiver, Endpoints endpoints, Options o) {
    int warmup = o.roundTripWarmup();
    int total = warmup + o.roundTrips();
    byte[] payload = Payload.bytes(o.payloadBytes());
    long[] nanos = new long[o.roundTrips()];
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket in = receiving(context, SocketType.PULL, 0);
      String mine = endpoints.bind("rtt-pair-client");
      bindOrFail(in, mine);
      receiver.command("rtt-rawpair", endpoints.bind("rtt-server"), in.getLastEndpoint(), total);
      String endpoint = receiver.await("bound", ReceiverJvm.SETUP);
      ZMQ.Socket out = context.createSocket(SocketType.PUSH);
      out.setLinger(0);
      Endpoints.tuneConnecting(out, endpoint);
      out.connect(endpoint);
      timeRawRoundTrips("raw pair", out, in, payload, warmup, nanos);
      receiver.await("done", ReceiverJvm.SETUP);
    }
    return Result.of(nanos);
  }

  /**
   * {@code warmup} untimed round trips, then one per slot of {@code nanos}, timed: each sends
   * {@code payload} on {@code out} and waits for it to come back on {@code in} (the same socket
   * for REQ/REP), and fails the round if it does not.
   */
  private static void timeRawRoundTrips(String what, ZMQ.Socket out, ZMQ.Socket in,
      byte[] payload, int warmup, long[] nanos) {
    int total = warmup + nanos.length;
    for (int i = 0; i < total; i++) {
      long t = System.nanoTime();
      if (!out.send(payload, 0)) {
        throw new BenchFailure("rtt " + what + ": request " + i + " refused, errno "
            + out.errno());
      }
      byte[] reply = in.recv(0);
      long dt = System.nanoTime() - t;
      if (reply == null || !Arrays.equals(reply, payload)) {
        throw new BenchFailure("rtt " + what + ": reply " + i + " is wrong or missing (errno "
            + in.errno() + ")");
      }
      if (i >= warmup) {
        nanos[i - warmup] = dt;
      }
    }
  }

  // ------------------------------------------------------------------ server JVM

  /** {@code rtt-ours BIND CLIENT_ENDPOINT COUNT HWM CODEC}. */
  static void serveOurs(String[] a) {
    String bind = a[1];
    String client = a[2];
    int total = Integer.parseInt(a[3]);
    int hwm = Integer.parseInt(a[4]);
    Options.Codec codec = Options.Codec.valueOf(a[5]);
    Jvm.onFreshThread("rtt-server", () -> {
      try (RemoteContext context = RemoteContext.create()) {
        Publication publication = context.publish(Thread.currentThread(),
            codec.publishOptions(hwm), bind);
        RemoteThread back = context.connect(codec.connectOptions(hwm), client);
        ReceiverJvm.reply("bound " + publication.endpoints().get(0));
        for (int i = 0; i < total; i++) {
          send(back, receive(i == 0 ? ReceiverJvm.SETUP : REPLY_TIMEOUT));
        }
        ReceiverJvm.reply("done " + total);
      }
      return null;
    });
  }

  /** {@code rtt-rawpair BIND CLIENT_ENDPOINT COUNT}: PULL bound, PUSH back to the client. */
  static void serveRawPair(String[] a) {
    String bind = a[1];
    String client = a[2];
    int total = Integer.parseInt(a[3]);
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket in = receiving(context, SocketType.PULL, 0);
      bindOrFail(in, bind);
      ZMQ.Socket out = context.createSocket(SocketType.PUSH);
      out.setLinger(1000);
      Endpoints.tuneConnecting(out, client);
      out.connect(client);
      ReceiverJvm.reply("bound " + in.getLastEndpoint());
      echo("raw pair", in, out, total);
    }
  }

  /** {@code rtt-raw BIND COUNT}. */
  static void serveRaw(String[] a) {
    String bind = a[1];
    int total = Integer.parseInt(a[2]);
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket rep = receiving(context, SocketType.REP, 1000);
      bindOrFail(rep, bind);
      ReceiverJvm.reply("bound " + rep.getLastEndpoint());
      echo("raw", rep, rep, total);
    }
  }

  /** Sends back on {@code out} each of {@code total} requests read from {@code in}, then says so. */
  private static void echo(String what, ZMQ.Socket in, ZMQ.Socket out, int total) {
    for (int i = 0; i < total; i++) {
      byte[] m = in.recv(0);
      if (m == null) {
        throw new BenchFailure("rtt " + what + " server: request " + i + " did not come");
      }
      out.send(m, 0);
    }
    ReceiverJvm.reply("done " + total);
  }

  /**
   * A socket that receives: {@code linger} ms of linger, and a receive that gives up after the
   * set-up timeout, so that a lost peer fails the round instead of hanging it.
   */
  private static ZMQ.Socket receiving(ZContext context, SocketType type, int linger) {
    ZMQ.Socket socket = context.createSocket(type);
    socket.setLinger(linger);
    socket.setReceiveTimeOut((int) ReceiverJvm.SETUP.toMillis());
    return socket;
  }

  /** Binds {@code socket} to {@code endpoint} or fails the round, naming both. */
  private static void bindOrFail(ZMQ.Socket socket, String endpoint) {
    if (!socket.bind(endpoint)) {
      throw new BenchFailure("cannot bind " + endpoint + ": errno " + socket.errno());
    }
  }
}
