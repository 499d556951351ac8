package dev.mailboxthreads.benchmarks.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.MailboxTimeoutException;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteMailboxThreads;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Cold start: a fresh JVM connects to a warm receiver and sends one message, then exits.
 *
 * <p>The receiver lives in this (the parent) JVM, already running; the sender is a new JVM per
 * sample, started with the same java and class path. The sender takes System.nanoTime as its
 * main method starts and again just before {@code connect}, and puts both in the message;
 * the receiver takes it on arrival. On Linux System.nanoTime is one system-wide clock, which
 * {@link ReceiverJvm#checkClock()} has verified between two JVMs, and each sample is checked
 * to be in order (spawn before main before connect before arrival).
 *
 * <ul>
 *   <li>ours: the fresh JVM calls the static {@code RemoteMailboxThreads.connect(endpoint)}
 *       (which creates the default context: that is part of the cold path) and {@code
 *       send(remote, "cold ...")}, then returns from main (the default context's shutdown hook
 *       closes the connection, delivering first); the receiver is a published thread in {@code
 *       receive}.
 *   <li>raw: {@code ZMQ.context(1)}, a PUSH socket with the same connect settings, {@code
 *       connect}, {@code send(bytes, 0)}, close with linger; the receiver is a PULL socket in
 *       {@code recv(0)}.
 * </ul>
 */
final class ColdStart {
  private ColdStart() {}

  /**
   * One fresh JVM, all in nanoseconds of the shared clock.
   *
   * @param spawn before ProcessBuilder.start, in the parent
   * @param main first statement of the fresh JVM's main
   * @param connect just before connect (ours) or before creating the ZeroMQ context (raw)
   * @param connected when connect returned
   * @param sent when the one send returned (ours: the message is encoded by then)
   * @param arrival when the receiver had the message
   * @param exit when the fresh JVM's stdout closed (it exited)
   */
  record Sample(long spawn, long main, long connect, long connected, long sent, long arrival,
      long exit) {
    double connectToDeliveryMillis() {
      return (arrival - connect) / 1e6;
    }

    double spawnToDeliveryMillis() {
      return (arrival - spawn) / 1e6;
    }

    double spawnToMainMillis() {
      return (main - spawn) / 1e6;
    }

    double connectCallMillis() {
      return (connected - connect) / 1e6;
    }

    double sendCallMillis() {
      return (sent - connected) / 1e6;
    }

    double sendToDeliveryMillis() {
      return (arrival - sent) / 1e6;
    }

    double spawnToExitMillis() {
      return (exit - spawn) / 1e6;
    }
  }

  /**
   * Runs {@code options.coldJvms()} fresh JVMs per contestant, alternating, and hands each
   * sample to {@code sink} as it comes.
   */
  static void run(Options o, Endpoints endpoints, SampleSink sink) {
    boolean ours = o.contestants().contains(Options.Contestant.OURS);
    boolean raw = o.contestants().contains(Options.Contestant.RAW);
    Jvm.onFreshThread("cold-receiver", () -> {
      try (ZContext zmq = new ZContext(1); RemoteContext context = RemoteContext.create()) {
        ZMQ.Socket pull = zmq.createSocket(SocketType.PULL);
        pull.setLinger(0);
        pull.setReceiveTimeOut((int) Duration.ofSeconds(o.timeoutSeconds()).toMillis());
        if (!pull.bind(endpoints.bind("cold-raw"))) {
          throw new BenchFailure("cold raw: cannot bind, errno " + pull.errno());
        }
        String rawEndpoint = pull.getLastEndpoint();
        Publication publication = context.publish(Thread.currentThread(),
            o.codec().publishOptions(o.highWaterMark()), endpoints.bind("cold-ours"));
        String oursEndpoint = publication.endpoints().get(0);
        for (int i = 0; i < o.coldJvms(); i++) {
          List<Options.Contestant> order = new ArrayList<>();
          if (ours) {
            order.add(Options.Contestant.OURS);
          }
          if (raw) {
            order.add(i % 2 == 0 ? order.size() : 0, Options.Contestant.RAW);
          }
          for (Options.Contestant c : order) {
            Sample s = c == Options.Contestant.OURS
                ? once(o, i, "cold-ours", oursEndpoint, timeout -> {
                    try {
                      return (String) receive(timeout);
                    } catch (MailboxTimeoutException e) {
                      return null;
                    }
                  })
                : once(o, i, "cold-raw", rawEndpoint, timeout -> {
                    byte[] m = pull.recv(0);
                    return m == null ? null : new String(m, StandardCharsets.UTF_8);
                  });
            sink.accept(c, i, s);
          }
        }
      }
      return null;
    });
  }

  /** Receives a sample for the parent, in the calling thread. */
  interface SampleSink {
    void accept(Options.Contestant contestant, int index, Sample sample);
  }

  private interface Arrival {
    /** The message, or null if none came within {@code timeout}. */
    String await(Duration timeout);
  }

  private static Sample once(Options o, int index, String role, String endpoint, Arrival arrival)
      throws IOException, InterruptedException {
    List<String> cmd = Jvm.command(o.childJvmArgs(), "--role", role, endpoint,
        String.valueOf(index), o.codec().name());
    Duration timeout = Duration.ofSeconds(o.timeoutSeconds());
    long spawn = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String m = arrival.await(timeout);
      long arrived = System.nanoTime();
      if (m == null) {
        throw new BenchFailure(role + " " + index + ": no message within " + timeout);
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long exited = System.nanoTime();
      if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new BenchFailure(role + " " + index + ": the fresh JVM did not exit cleanly: "
            + out);
      }
      String[] f = m.split(" ");
      if (f.length != 4 || !f[0].equals("cold") || Integer.parseInt(f[1]) != index) {
        throw new BenchFailure(role + " " + index + ": unexpected message: " + m);
      }
      long main = Long.parseLong(f[2]);
      long connect = Long.parseLong(f[3]);
      long connected = -1;
      long sent = -1;
      for (String line : out.split("\n")) {
        if (line.startsWith(ReceiverJvm.PREFIX + "times ")) {
          String[] t = line.substring(ReceiverJvm.PREFIX.length() + 6).trim().split(" ");
          connected = Long.parseLong(t[0]);
          sent = Long.parseLong(t[1]);
        } else if (!line.isBlank()) {
          System.err.println("[" + role + "] " + line);
        }
      }
      if (!(spawn < main && main <= connect && connect < connected && connected <= sent
          && connect < arrived)) {
        throw new BenchFailure(role + " " + index + ": times out of order (spawn " + spawn
            + ", main " + main + ", connect " + connect + ", connected " + connected
            + ", sent " + sent + ", arrival " + arrived + "): are the clocks shared?");
      }
      return new Sample(spawn, main, connect, connected, sent, arrived, exited);
    } finally {
      p.destroyForcibly();
    }
  }

  // ------------------------------------------------------------------ the fresh JVM

  /**
   * {@code --role cold-ours ENDPOINT INDEX CODEC}: connect, send one message, return. With the
   * default codec it calls plain {@code connect(endpoint)}, as a user would.
   */
  static void sendOurs(long mainNanos, String endpoint, String index, String codec) {
    long connect = System.nanoTime();
    RemoteThread remote = Options.Codec.valueOf(codec) == Options.Codec.DEFAULT
        ? RemoteMailboxThreads.connect(endpoint)
        : RemoteMailboxThreads.connect(Options.Codec.UTF8.connectOptions(100_000), endpoint);
    long connected = System.nanoTime();
    send(remote, "cold " + index + " " + mainNanos + " " + connect);
    long sent = System.nanoTime();
    ReceiverJvm.reply("times " + connected + " " + sent);
    // returning ends the JVM: the default context's shutdown hook closes the connection, which
    // delivers what it holds first
  }

  /** {@code --role cold-raw ENDPOINT INDEX CODEC}: the same with a raw PUSH socket. */
  static void sendRaw(long mainNanos, String endpoint, String index) {
    long connect = System.nanoTime();
    ZMQ.Context context = ZMQ.context(1); // not ZContext: the plainest cold path
    ZMQ.Socket push = context.socket(SocketType.PUSH);
    push.setLinger(5000);
    Endpoints.tuneConnecting(push, endpoint);
    push.connect(endpoint);
    long connected = System.nanoTime();
    push.send(("cold " + index + " " + mainNanos + " " + connect)
        .getBytes(StandardCharsets.UTF_8), 0);
    long sent = System.nanoTime();
    ReceiverJvm.reply("times " + connected + " " + sent);
    push.close();
    context.term();
  }
}
