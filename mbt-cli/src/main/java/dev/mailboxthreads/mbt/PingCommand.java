package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.MailboxThreads.receive;

import dev.mailboxthreads.MailboxTimeoutException;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mbt ping}: round trips to a consumer started with {@code --echo}. */
@Command(
    name = "ping",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "Measures round-trip times to 'mbt consume --echo'.",
        "",
        "Measures round trips to 'mbt consume --echo ENDPOINT': publishes a thread of its own,"
            + " sends pings that carry that thread's endpoint, and times until each comes back."
            + " The first ping pays for connecting both ways and is reported apart; --warmup"
            + " more are not counted; then --count pings, one at a time, give min, median, p99"
            + " and max (nearest rank).",
        "",
        "Answers come back to tcp://ADDRESS:* on the local address that reaches a tcp ENDPOINT"
            + " (127.0.0.1 for a local one), or to an ipc socket in a new temporary directory"
            + " for an ipc ENDPOINT; --reply chooses another.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every ping answered",
        "2:usage: bad option or malformed endpoint",
        "4:cannot publish the --reply endpoint",
        "5:nobody listens at ENDPOINT, or a ping got no answer within --timeout (is the consumer"
            + " started with --echo?)"},
    footer = {"", "Example:", "  mbt consume --echo tcp://127.0.0.1:5555 &",
        "  mbt ping tcp://127.0.0.1:5555"})
final class PingCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "ENDPOINT",
      description = "where 'mbt consume --echo' listens: tcp://HOST:PORT or ipc:///path")
  private String endpoint;

  @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "100",
      description = "round trips to measure, after the first and the warm-up (default:"
          + " ${DEFAULT-VALUE})")
  private int count;

  @Option(names = {"-w", "--warmup"}, paramLabel = "N", defaultValue = "100",
      description = "round trips after the first that are not counted, so the JIT compiles"
          + " both sides first (default: ${DEFAULT-VALUE})")
  private int warmup;

  @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s",
      description = "how long to wait for the consumer to be listening, and for each answer"
          + " (default: ${DEFAULT-VALUE})")
  private Duration timeout;

  @Option(names = "--reply", paramLabel = "ENDPOINT",
      description = "where answers come back: an endpoint to publish on that the consumer can"
          + " reach, e.g. tcp://10.0.0.5:* (default: chosen from ENDPOINT, see above)")
  private String reply;

  @Override
  public Integer call() {
    if (count < 1) {
      throw Failure.usage("--count must be 1 or more, not " + count);
    }
    if (warmup < 0) {
      throw Failure.usage("--warmup must be 0 or more, not " + warmup);
    }
    Endpoint target = Endpoint.parse(endpoint, false);
    Endpoint replyEndpoint = Endpoint.parse(reply != null ? reply : defaultReply(target), true);
    PrintWriter out = spec.commandLine().getOut();

    Publication answers = Remote.publish(Thread.currentThread(),
        PublishOptions.defaults().withCodec(Codecs.PING), List.of(replyEndpoint));
    String replyTo = answers.endpoints().get(0);
    ProduceCommand.awaitListening(List.of(target), System.nanoTime() + timeout.toNanos(),
        timeout, "mbt consume --echo", spec.commandLine().getErr());
    RemoteThread consumer = Remote.connect(ConnectOptions.defaults()
        .withCodec(Codecs.PING).withSendTimeout(timeout).withLinger(Duration.ZERO),
        List.of(target));
    out.println("ping " + target + " (answers to " + replyTo + ")");

    // the codec's start-up (Fory's, up to seconds on a busy machine) is not the network's
    Codecs.PING.warmUp(new Ping(replyTo, 0));
    long first = roundTrip(consumer, new Ping(replyTo, 0));
    out.println("first answer in " + millis(first) + " (connecting both ways; not counted)");
    for (int i = 1; i <= warmup; i++) {
      roundTrip(consumer, new Ping(replyTo, i));
    }
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      nanos[i] = roundTrip(consumer, new Ping(replyTo, warmup + 1 + i));
    }
    Arrays.sort(nanos);
    out.println(count + (count == 1 ? " round trip" : " round trips")
        + " (after " + warmup + " not counted): min " + millis(nanos[0])
        + ", median " + millis(nearestRank(nanos, 50))
        + ", p99 " + millis(nearestRank(nanos, 99))
        + ", max " + millis(nanos[count - 1]));
    return Exit.OK;
  }

  /** Sends {@code ping} and waits for it to come back; returns the round trip in nanoseconds. */
  private long roundTrip(RemoteThread consumer, Ping ping) {
    long start = System.nanoTime();
    consumer.send(ping);
    try {
      receive(m -> m instanceof Ping p && p.sequence() == ping.sequence(), timeout);
    } catch (MailboxTimeoutException e) {
      throw Failure.unreachable("no answer from " + endpoint + " "
          + Reachability.within(timeout) + (ping.sequence() == 0
              ? ": is it 'mbt consume --echo'? (without --echo pings are ignored), and can it"
                  + " reach " + ping.replyTo() + "? (else choose one with --reply)"
              : " to ping " + ping.sequence() + " of " + (warmup + count)
                  + "; the earlier ones came back"));
    }
    return System.nanoTime() - start;
  }

  /** The p-th percentile by nearest rank: the smallest value with p% of values at or below. */
  static long nearestRank(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }

  /** Where answers can come back: see the command's description. */
  private static String defaultReply(Endpoint target) {
    if (!target.isTcp()) {
      try {
        Path dir = Files.createTempDirectory("mbt-ping-");
        Session.current().deleteAtExit(dir);
        return "ipc://" + dir.resolve("answers");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a temporary directory for answers", e);
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(target.host());
    } catch (UnknownHostException e) {
      throw Failure.unreachable("unknown host '" + target.host() + "' in " + target
          + ": check the name");
    }
    if (!address.isLoopbackAddress()) {
      try (DatagramSocket probe = new DatagramSocket()) {
        probe.connect(address, target.port()); // no packet: only picks the local address
        address = probe.getLocalAddress();
      } catch (SocketException e) {
        throw Failure.unreachable("no route to " + target + ": " + e.getMessage());
      }
    }
    String host = address.getHostAddress();
    return "tcp://" + (address instanceof Inet6Address ? "[" + host + "]" : host) + ":*";
  }
}
