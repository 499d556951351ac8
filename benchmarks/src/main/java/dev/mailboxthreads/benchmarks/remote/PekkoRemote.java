package dev.mailboxthreads.benchmarks.remote;

import dev.mailboxthreads.benchmarks.PekkoSystems;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;

/**
 * The Pekko remote peer of the stream and round-trip tests: Pekko 1.7.0 classic actors, Artery
 * over TCP on 127.0.0.1 (ephemeral ports), one fresh actor system per round on each side
 * ({@link PekkoSystems#remote}). Payloads are the same bytes raw JeroMQ sends, as {@code byte[]},
 * which Pekko serializes with its ByteArraySerializer (bound to {@code byte[]} by Pekko's own
 * reference.conf: what a user sending bytes gets, with no copy beyond the frame); control
 * messages are a String and Longs (Pekko's primitive serializers).
 *
 * <ul>
 *   <li>Stream: a thread of the sending JVM tells the receiver's sink actor N payloads. Pekko's
 *       {@code tell} never blocks: when Artery's outbound queue is full it drops the message
 *       (and logs). So that the peer is compared at the same flow control as ours and raw
 *       JeroMQ (a high-water mark, the sender waiting when it is reached), the sink acknowledges
 *       every {@link #ACK_EVERY} messages and the sender keeps at most {@code --hwm} messages
 *       unacknowledged, with the outbound queue larger than that, so none can be dropped. The
 *       receiver counts every message and checks its length, and the round fails unless
 *       exactly N arrived.
 *   <li>Round trip: the client thread asks ({@code Patterns.ask}, a temporary actor per request,
 *       as users do) the echo actor, which replies to the sender; every reply is compared.
 * </ul>
 */
final class PekkoRemote {
  /** The sink acknowledges this many messages at a time. */
  static final int ACK_EVERY = 1_000;

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  private PekkoRemote() {}

  // ------------------------------------------------------------------ sending JVM

  /** Credits of the stream's sender: how many messages the sink has acknowledged. */
  static final class Credits {
    /** guarded by this */
    private long acked;

    synchronized void ack(long count) {
      if (count > acked) {
        acked = count;
        notifyAll();
      }
    }

    /** Waits until fewer than {@code window} of {@code sent} messages are unacknowledged. */
    synchronized void awaitRoom(long sent, int window, long deadline)
        throws InterruptedException {
      while (sent - acked >= window) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new BenchFailure("stream Pekko: no acknowledgement from the sink for too long"
              + " (" + acked + " of " + sent + " acknowledged)");
        }
        wait(left);
      }
    }
  }

  /** Takes the sink's acknowledgements. */
  static final class AckActor extends AbstractActor {
    private final Credits credits;

    AckActor(Credits credits) {
      this.credits = credits;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().match(Long.class, credits::ack).build();
    }
  }

  static Stream.Result stream(ReceiverJvm receiver, Options o, long n) {
    int window = o.highWaterMark();
    receiver.command("stream-pekko", n, o.payloadBytes(), window, o.timeoutSeconds());
    String path = receiver.await("bound", ReceiverJvm.SETUP);
    byte[] payload = Payload.bytes(o.payloadBytes());
    ActorSystem system = PekkoSystems.remote("sender", window + 2 * ACK_EVERY);
    Stream.Done done;
    long t0;
    long sent;
    long cpu;
    try {
      Credits credits = new Credits();
      ActorRef acks = system.actorOf(Props.create(AckActor.class, () -> new AckActor(credits)),
          "acks");
      ActorRef sink = resolve(system, path);
      sink.tell("sync", acks);
      receiver.await("synced", ReceiverJvm.SETUP);
      long deadline = System.nanoTime()
          + Duration.ofSeconds(o.timeoutSeconds()).toNanos();
      long cpu0 = Jvm.cpuNanos();
      t0 = System.nanoTime();
      for (long i = 0; i < n; i++) {
        if (i % 64 == 0) {
          credits.awaitRoom(i, window, deadline);
        }
        sink.tell(payload, acks);
      }
      sent = System.nanoTime();
      done = Stream.Done.parse(receiver.await("done",
          Duration.ofSeconds(o.timeoutSeconds()).plus(ReceiverJvm.SETUP)));
      cpu = Jvm.cpuNanos() - cpu0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("stream Pekko: interrupted", e);
    } finally {
      PekkoSystems.terminate(system);
    }
    done.check("stream Pekko", n);
    return new Stream.Result(n, done.lastNanos() - t0, sent - t0, cpu, done.cpuNanos());
  }

  static RoundTrip.Result roundTrip(ReceiverJvm receiver, Options o) {
    int warmup = o.roundTripWarmup();
    int total = warmup + o.roundTrips();
    byte[] payload = Payload.bytes(o.payloadBytes());
    long[] nanos = new long[o.roundTrips()];
    receiver.command("rtt-pekko", total);
    String path = receiver.await("bound", ReceiverJvm.SETUP);
    ActorSystem system = PekkoSystems.remote("client", 3072);
    try {
      ActorRef echo = resolve(system, path);
      for (int i = 0; i < total; i++) {
        long t = System.nanoTime();
        Object reply = Patterns.ask(echo, payload, i == 0 ? ReceiverJvm.SETUP : REPLY_TIMEOUT)
            .toCompletableFuture().get();
        long dt = System.nanoTime() - t;
        if (!(reply instanceof byte[] b) || !Arrays.equals(b, payload)) {
          throw new BenchFailure("rtt Pekko: reply " + i + " is wrong: " + reply);
        }
        if (i >= warmup) {
          nanos[i - warmup] = dt;
        }
      }
      receiver.await("done", ReceiverJvm.SETUP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("rtt Pekko: interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new BenchFailure("rtt Pekko: a request failed: " + e.getCause(), e.getCause());
    } finally {
      PekkoSystems.terminate(system);
    }
    return RoundTrip.Result.of(nanos);
  }

  private static ActorRef resolve(ActorSystem system, String path) {
    try {
      return system.actorSelection(path).resolveOne(ReceiverJvm.SETUP).toCompletableFuture()
          .get(ReceiverJvm.SETUP.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while resolving " + path, e);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new BenchFailure("cannot resolve the Pekko actor " + path + ": " + e, e);
    }
  }

  // ------------------------------------------------------------------ receiving JVM

  /** What the sink reports at the end: the fields of the "done" line. */
  private record SinkEnd(long count, long bad, long lastNanos, long cpuNanos) {}

  /** Counts the stream, acknowledges it, and completes {@code end} after N messages. */
  static final class Sink extends AbstractActor {
    private final long n;
    private final int payloadBytes;
    private final CompletableFuture<SinkEnd> end;
    private long count;
    private long bad;
    private long cpu0;

    Sink(long n, int payloadBytes, CompletableFuture<SinkEnd> end) {
      this.n = n;
      this.payloadBytes = payloadBytes;
      this.end = end;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals("sync", s -> {
            cpu0 = Jvm.cpuNanos();
            ReceiverJvm.reply("synced");
          })
          .matchAny(m -> {
            count++;
            if (!(m instanceof byte[] b) || b.length != payloadBytes) {
              bad++;
            }
            if (count % ACK_EVERY == 0 || count == n) {
              getSender().tell(count, getSelf());
            }
            if (count == n) {
              end.complete(new SinkEnd(count, bad, System.nanoTime(), Jvm.cpuNanos() - cpu0));
            }
          })
          .build();
    }

    long count() {
      return count;
    }
  }

  /** {@code stream-pekko N PAYLOAD_BYTES WINDOW TIMEOUT_S}. */
  static void receiveStream(String[] a) {
    long n = Long.parseLong(a[1]);
    int payloadBytes = Integer.parseInt(a[2]);
    int window = Integer.parseInt(a[3]);
    long limitSeconds = Long.parseLong(a[4]);
    ActorSystem system = PekkoSystems.remote("receiver", window + 2 * ACK_EVERY);
    try {
      CompletableFuture<SinkEnd> end = new CompletableFuture<>();
      system.actorOf(Props.create(Sink.class, () -> new Sink(n, payloadBytes, end)), "sink");
      ReceiverJvm.reply("bound " + PekkoSystems.address(system) + "/user/sink");
      SinkEnd e;
      try {
        e = end.get(limitSeconds + ReceiverJvm.SETUP.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException t) {
        System.err.println("stream Pekko: not all of " + n + " arrived in time");
        e = new SinkEnd(-1, 0, System.nanoTime(), 0);
      } catch (Exception t) {
        throw new BenchFailure("stream Pekko sink: " + t, t);
      }
      // Pekko has no delivery counters to compare: what the sink counted is what it received
      ReceiverJvm.reply("done " + e.count() + " " + e.bad() + " " + e.lastNanos() + " "
          + e.cpuNanos() + " " + (e.count() + 1) + " " + (e.count() + 1) + " 0");
    } finally {
      PekkoSystems.terminate(system);
    }
  }

  /** Replies to every request with the request; completes {@code end} after the last. */
  static final class Echo extends AbstractActor {
    private final int total;
    private final CompletableFuture<Void> end;
    private int served;

    Echo(int total, CompletableFuture<Void> end) {
      this.total = total;
      this.end = end;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> {
        getSender().tell(m, getSelf());
        if (++served == total) {
          end.complete(null);
        }
      }).build();
    }
  }

  /** {@code rtt-pekko COUNT}. */
  static void serveRoundTrip(String[] a) {
    int total = Integer.parseInt(a[1]);
    ActorSystem system = PekkoSystems.remote("server", 3072);
    try {
      CompletableFuture<Void> end = new CompletableFuture<>();
      system.actorOf(Props.create(Echo.class, () -> new Echo(total, end)), "echo");
      ReceiverJvm.reply("bound " + PekkoSystems.address(system) + "/user/echo");
      try {
        end.get(10, TimeUnit.MINUTES);
      } catch (Exception e) {
        throw new BenchFailure("rtt Pekko server: " + e, e);
      }
      ReceiverJvm.reply("done " + total);
    } finally {
      PekkoSystems.terminate(system);
    }
  }
}
