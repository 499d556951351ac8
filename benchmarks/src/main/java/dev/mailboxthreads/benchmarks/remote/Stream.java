package dev.mailboxthreads.benchmarks.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublicationStats;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Stream: one thread of the sending JVM sends N messages as fast as it can; one thread of the
 * receiving JVM takes and counts every one. Time runs from just before the first send (sender's
 * clock) to just after the N-th receive (receiver's clock; the same System.nanoTime clock, which
 * {@link ReceiverJvm#checkClock()} verifies). Before the clock starts, one sync message makes
 * sure the connection is up. A round counts only if exactly N well-formed messages arrived.
 *
 * <ul>
 *   <li>ours: {@code send(remote, string)} to a {@link RemoteThread}; the receiver's thread is
 *       published and takes messages with {@code receive()}.
 *   <li>raw: a PUSH socket, {@code send(bytes, 0)}, connected to a PULL socket read with {@code
 *       recv(0)} (a 1 s receive timeout, which only matters when the queue is empty, bounds a
 *       lost stream).
 * </ul>
 *
 * Both use the same high-water mark on both sides and the same connect settings.
 */
final class Stream {
  private Stream() {}

  /**
   * One measured round.
   *
   * @param messages N
   * @param elapsedNanos first send to N-th receive
   * @param sendNanos first send to the return of the N-th send
   * @param senderCpuNanos CPU time of the sending process during the round
   * @param receiverCpuNanos CPU time of the receiving process during the round
   */
  record Result(long messages, long elapsedNanos, long sendNanos, long senderCpuNanos,
      long receiverCpuNanos) {
    long cpuNanos() {
      return senderCpuNanos + receiverCpuNanos;
    }

    double senderCpuMicrosPerMessage() {
      return senderCpuNanos / 1e3 / messages;
    }

    double receiverCpuMicrosPerMessage() {
      return receiverCpuNanos / 1e3 / messages;
    }

    double messagesPerSecond() {
      return messages * 1e9 / elapsedNanos;
    }

    double sendsPerSecond() {
      return messages * 1e9 / sendNanos;
    }

    double cpuMicrosPerMessage() {
      return cpuNanos() / 1e3 / messages;
    }
  }

  /** The receiver's "done" line: COUNT BAD T_LAST CPU RECEIVED DELIVERED DROPPED. */
  record Done(long count, long bad, long lastNanos, long cpuNanos, long received,
      long delivered, long dropped) {
    static Done parse(String line) {
      String[] f = line.split(" ");
      return new Done(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
          Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]));
    }

    void check(String who, long n) {
      if (count != n || bad != 0 || received != n + 1 || delivered != n + 1 || dropped != 0) {
        throw new BenchFailure(who + ": lossy or wrong round: sent " + n + " (+1 sync), receiver"
            + " counted " + count + " (" + bad + " malformed), received " + received
            + ", delivered " + delivered + ", dropped " + dropped);
      }
    }
  }

  static Result run(Options.Contestant contestant, ReceiverJvm receiver, Endpoints endpoints,
      Options options, long n) {
    return switch (contestant) {
      case OURS, OURS_MSGPACK -> ours(receiver, endpoints, options, contestant.codec(options), n,
          1);
      case RAW -> raw(receiver, endpoints, options, n);
      case PEKKO -> PekkoRemote.stream(receiver, options, n);
      case LIBZMQ -> throw new IllegalArgumentException("libzmq runs the round trip only");
      case RAW_PAIR -> throw new IllegalArgumentException(
          "the PUSH/PULL pair runs the round trip only");
    };
  }

  private static Duration doneTimeout(Options o) {
    return Duration.ofSeconds(o.timeoutSeconds()).plus(ReceiverJvm.SETUP);
  }

  // ------------------------------------------------------------------ sending JVM

  /**
   * Ours: {@code senders} threads share the N sends (one: the calling thread; more: that many
   * virtual threads, started and waiting before the clock starts, then released at once) to one
   * {@link RemoteThread}.
   */
  static Result ours(ReceiverJvm receiver, Endpoints endpoints, Options o, Options.Codec codec,
      long n, int senders) {
    receiver.command("stream-ours", endpoints.bind("stream-ours"), n, o.payloadBytes(),
        o.highWaterMark(), o.timeoutSeconds(), codec);
    String endpoint = receiver.await("bound", ReceiverJvm.SETUP);
    String payload = Payload.string(o.payloadBytes());
    RemoteThread remote;
    Done done;
    long t0;
    long sent;
    long cpu;
    try (RemoteContext context = RemoteContext.create()) {
      remote = context.connect(codec.connectOptions(o.highWaterMark()), endpoint);
      send(remote, payload); // sync: once it has arrived, the connection is up
      receiver.await("synced", ReceiverJvm.SETUP);
      if (senders == 1) {
        long cpu0 = Jvm.cpuNanos();
        t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
          send(remote, payload);
        }
        sent = System.nanoTime();
        done = Done.parse(receiver.await("done", doneTimeout(o)));
        cpu = Jvm.cpuNanos() - cpu0;
      } else {
        ManySenders many = ManySenders.start(remote, payload, n, senders);
        long cpu0 = Jvm.cpuNanos();
        t0 = System.nanoTime();
        many.go();
        sent = many.join(doneTimeout(o));
        done = Done.parse(receiver.await("done", doneTimeout(o)));
        cpu = Jvm.cpuNanos() - cpu0;
      }
      remote.close();
    }
    String who = senders == 1 ? "stream " + codec : "many senders (" + senders + ")";
    done.check(who, n);
    ConnectionStats stats = remote.stats();
    if (stats.sent() != n + 1 || stats.timedOut() != 0 || stats.discarded() != 0) {
      throw new BenchFailure(who + ": the connection counted " + stats + " for " + n
          + " (+1 sync) sends");
    }
    return new Result(n, done.lastNanos() - t0, sent - t0, cpu, done.cpuNanos());
  }

  /**
   * {@code count} virtual threads that send {@code n} messages in all to one remote thread,
   * once released. Concurrency: the threads wait on {@link #start}, released once by {@link
   * #go}; {@link #join} waits for all of them and rethrows the first failure.
   */
  static final class ManySenders {
    private final java.util.concurrent.CountDownLatch start =
        new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    private final Thread[] threads;

    private ManySenders(int count) {
      threads = new Thread[count];
    }

    static ManySenders start(RemoteThread remote, Object payload, long n, int count) {
      ManySenders m = new ManySenders(count);
      Thread.Builder builder = Thread.ofVirtual().name("many-sender-", 0);
      for (int t = 0; t < count; t++) {
        long share = n / count + (t < n % count ? 1 : 0);
        m.threads[t] = builder.start(() -> {
          try {
            m.start.await();
            for (long i = 0; i < share; i++) {
              send(remote, payload);
            }
          } catch (Throwable e) {
            m.failure.compareAndSet(null, e);
          }
        });
      }
      return m;
    }

    void go() {
      start.countDown();
    }

    /** Waits for every sender; returns System.nanoTime after the last one ended. */
    long join(Duration limit) {
      long deadline = System.nanoTime() + limit.toNanos();
      try {
        for (Thread t : threads) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || !t.join(Duration.ofNanos(left))) {
            throw new BenchFailure("many senders: " + t + " still sending after " + limit);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchFailure("interrupted while waiting for the senders", e);
      }
      long end = System.nanoTime();
      if (failure.get() != null) {
        throw new BenchFailure("many senders: a sender failed: " + failure.get(), failure.get());
      }
      return end;
    }
  }

  static Result raw(ReceiverJvm receiver, Endpoints endpoints, Options o, long n) {
    receiver.command("stream-raw", endpoints.bind("stream-raw"), n, o.payloadBytes(),
        o.highWaterMark(), o.timeoutSeconds());
    String endpoint = receiver.await("bound", ReceiverJvm.SETUP);
    byte[] payload = Payload.bytes(o.payloadBytes());
    Done done;
    long t0;
    long sent;
    long cpu;
    // ZContext.close() closes its sockets (each with its own linger) and then the context
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket push = context.createSocket(SocketType.PUSH);
      push.setSndHWM(o.highWaterMark());
      push.setSendTimeOut(o.timeoutSeconds() * 1000); // only when full: a dead receiver fails
      push.setLinger(5000);
      Endpoints.tuneConnecting(push, endpoint);
      push.connect(endpoint);
      push.send(payload, 0); // sync
      receiver.await("synced", ReceiverJvm.SETUP);
      long cpu0 = Jvm.cpuNanos();
      t0 = System.nanoTime();
      long refused = 0;
      for (long i = 0; i < n; i++) {
        if (!push.send(payload, 0)) {
          refused = n - i;
          break;
        }
      }
      sent = System.nanoTime();
      if (refused != 0) {
        throw new BenchFailure("stream raw: the socket refused the last " + refused + " of "
            + n + " sends for " + o.timeoutSeconds() + " s (errno " + push.errno() + ")");
      }
      done = Done.parse(receiver.await("done", doneTimeout(o)));
      cpu = Jvm.cpuNanos() - cpu0;
    }
    done.check("stream raw", n);
    return new Result(n, done.lastNanos() - t0, sent - t0, cpu, done.cpuNanos());
  }

  // ------------------------------------------------------------------ receiving JVM

  /** {@code stream-ours BIND N PAYLOAD_BYTES HWM TIMEOUT_S CODEC}. */
  static void receiveOurs(String[] a) {
    String bind = a[1];
    long n = Long.parseLong(a[2]);
    int payloadBytes = Integer.parseInt(a[3]);
    int hwm = Integer.parseInt(a[4]);
    Duration limit = Duration.ofSeconds(Long.parseLong(a[5]));
    Options.Codec codec = Options.Codec.valueOf(a[6]);
    Jvm.onFreshThread("stream-receiver", () -> {
      Thread me = Thread.currentThread();
      try (RemoteContext context = RemoteContext.create()) {
        Publication publication = context.publish(me, codec.publishOptions(hwm), bind);
        ReceiverJvm.reply("bound " + publication.endpoints().get(0));
        receive(ReceiverJvm.SETUP); // sync
        ReceiverJvm.reply("synced");
        long cpu0 = Jvm.cpuNanos();
        long count = 0;
        long bad = 0;
        Watchdog dog = Watchdog.interrupting(me, limit);
        try {
          while (count < n) {
            Object m = receive();
            count++;
            if (!(m instanceof String s) || s.length() != payloadBytes) {
              bad++;
            }
          }
        } catch (MailboxInterruptedException e) {
          System.err.println("stream ours: only " + count + " of " + n + " arrived within "
              + limit);
        } finally {
          dog.close();
        }
        long last = System.nanoTime();
        long cpu = Jvm.cpuNanos() - cpu0;
        Thread.interrupted(); // a watchdog that fired as the last message came
        // the loop counts a delivery just after the mailbox took it: let the counters settle
        PublicationStats stats = publication.stats();
        for (int i = 0; i < 1000 && stats.delivered() + stats.droppedTotal() < stats.received();
            i++) {
          Thread.sleep(1);
          stats = publication.stats();
        }
        ReceiverJvm.reply("done " + count + " " + bad + " " + last + " " + cpu + " "
            + stats.received() + " " + stats.delivered() + " " + stats.droppedTotal());
      }
      return null;
    });
  }

  /** {@code stream-raw BIND N PAYLOAD_BYTES HWM TIMEOUT_S}. */
  static void receiveRaw(String[] a) {
    String bind = a[1];
    long n = Long.parseLong(a[2]);
    int payloadBytes = Integer.parseInt(a[3]);
    int hwm = Integer.parseInt(a[4]);
    long limitNanos = Duration.ofSeconds(Long.parseLong(a[5])).toNanos();
    try (ZContext context = new ZContext(1)) {
      ZMQ.Socket pull = context.createSocket(SocketType.PULL);
      pull.setRcvHWM(hwm);
      pull.setLinger(0);
      pull.setReceiveTimeOut(1000);
      if (!pull.bind(bind)) {
        throw new BenchFailure("cannot bind " + bind + ": errno " + pull.errno());
      }
      ReceiverJvm.reply("bound " + pull.getLastEndpoint());
      long setupEnd = System.nanoTime() + ReceiverJvm.SETUP.toNanos();
      while (pull.recv(0) == null) { // sync
        if (System.nanoTime() - setupEnd > 0) {
          throw new BenchFailure("stream raw: no sync message within " + ReceiverJvm.SETUP);
        }
      }
      ReceiverJvm.reply("synced");
      long cpu0 = Jvm.cpuNanos();
      long deadline = System.nanoTime() + limitNanos;
      long count = 0;
      long bad = 0;
      while (count < n) {
        byte[] m = pull.recv(0);
        if (m == null) { // a second without a message
          if (System.nanoTime() - deadline > 0) {
            System.err.println("stream raw: only " + count + " of " + n + " arrived in time");
            break;
          }
          continue;
        }
        count++;
        if (m.length != payloadBytes) {
          bad++;
        }
      }
      long last = System.nanoTime();
      long cpu = Jvm.cpuNanos() - cpu0;
      // raw has no counters of its own: what the loop counted is what it received
      ReceiverJvm.reply("done " + count + " " + bad + " " + last + " " + cpu + " " + (count + 1)
          + " " + (count + 1) + " 0");
    }
  }
}
