package dev.mailboxthreads.benchmarks.remote;

import dev.mailboxthreads.benchmarks.remote.Options.Contestant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The end-to-end remote benchmark: this JVM sends, a second JVM that it starts receives, and
 * every test runs our library and raw JeroMQ side by side, alternating, for several rounds.
 *
 * <pre>
 * java --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
 *     -cp benchmarks/target/benchmarks.jar dev.mailboxthreads.benchmarks.remote.RemoteBench \
 *     [--payload 16|256|4096] [--transport tcp|ipc] [--csv FILE] [--out FILE] [--help]
 * </pre>
 *
 * <p>Prints a progress line per round on stderr and the tables on stdout; exits with 1 if a
 * round lost or corrupted a message or a peer failed (a fast result that is lossy is not a
 * result), 2 on a bad command line. docs/benchmarks-remote.md explains the figures.
 */
public final class RemoteBench {
  static final String STREAM = "stream";
  static final String RTT = "rtt";
  static final String COLD = "cold";
  static final String MANY = "many";

  private final Options options;
  private final Results results = new Results();
  /** Whether the libzmq contestant's skip has been reported (the harness's one thread). */
  private boolean libzmqSkipNoted;

  private RemoteBench(Options options) {
    this.options = options;
  }

  /**
   * Runs the benchmark; see the class comment. With {@code --role ...} it is one of the JVMs the
   * benchmark starts.
   *
   * @param args the options ({@code --help} lists them)
   * @throws IOException if the receiver's control channel fails
   */
  public static void main(String[] args) throws IOException {
    long mainNanos = System.nanoTime();
    if (args.length > 0 && args[0].equals("--role")) {
      switch (args[1]) {
        case "receiver" -> {
          ReceiverJvm.serve();
          System.exit(0);
        }
        case "cold-ours" -> ColdStart.sendOurs(mainNanos, args[2], args[3], args[4]);
        case "cold-raw" -> ColdStart.sendRaw(mainNanos, args[2], args[3]);
        default -> throw new IllegalArgumentException("unknown role: " + args[1]);
      }
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (Options.UsageException e) {
      if (e.getMessage() != null) {
        System.err.println("error: " + e.getMessage());
      }
      System.err.print(Options.USAGE);
      System.exit(e.getMessage() == null ? 0 : 2);
      return;
    }
    System.exit(new RemoteBench(options).run());
  }

  private int run() {
    Jvm.Host host = Jvm.Host.describe();
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String header = String.format(Locale.ROOT,
        "mailbox-threads remote benchmark, %s%n"
            + "host: %d x %s, %s, %s; load average at start %s%n"
            + "transport %s, payload %d B, codec %s, HWM %,d, %d round(s) per contestant"
            + " (median [min .. max])%n",
        started, host.processors(), host.cpuModel(), host.jdk(), host.os(), Jvm.loadAverage(),
        options.transport().name().toLowerCase(Locale.ROOT), options.payloadBytes(),
        options.codec().describe(), options.highWaterMark(), options.rounds());
    System.err.print(header);
    Path ipcDirectory = null;
    String failure = null;
    long t0 = System.nanoTime();
    try {
      if (options.transport() == Options.Transport.IPC) {
        ipcDirectory = Files.createTempDirectory("mbt-bench-");
      }
      Endpoints endpoints = new Endpoints(options.transport(), ipcDirectory);
      if (options.tests().contains(Options.Test.STREAM)
          || options.tests().contains(Options.Test.RTT)
          || options.tests().contains(Options.Test.MANY)) {
        try (ReceiverJvm receiver = ReceiverJvm.start(options)) {
          receiver.checkClock();
          if (options.tests().contains(Options.Test.STREAM)) {
            stream(receiver, endpoints);
          }
          if (options.tests().contains(Options.Test.RTT)) {
            roundTrip(receiver, endpoints);
          }
          if (options.tests().contains(Options.Test.MANY)) {
            manySenders(receiver, endpoints);
          }
        }
      }
      if (options.tests().contains(Options.Test.COLD)) {
        coldStart(endpoints);
      }
    } catch (IOException | RuntimeException e) { // BenchFailure, SendTimeoutException, ...
      failure = e instanceof BenchFailure ? e.getMessage() : String.valueOf(e);
      e.printStackTrace();
    } finally {
      deleteQuietly(ipcDirectory);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    StringBuilder report = new StringBuilder(header).append('\n');
    report.append(report());
    report.append(String.format(Locale.ROOT, "%nwall time %.0f s; load average at end %s%n",
        seconds, Jvm.loadAverage()));
    if (failure != null) {
      report.append("\nFAILED: ").append(failure).append('\n');
    }
    System.out.print(report);
    if (options.csv() != null) {
      results.writeCsv(options.csv(), options);
      System.err.println("wrote " + options.csv());
    }
    if (options.out() != null) {
      results.writeCsv(options.out(), options);
      Path chart = ResultsChart.svgPath(options.out());
      ResultsChart.write(chart, results, options, host, started, failure);
      System.err.println("wrote " + options.out() + " and " + chart);
    }
    return failure == null ? 0 : 1;
  }

  /**
   * The contestants that take part in {@code test}: libzmq only in the round trip, and there
   * only when its program could be built (otherwise it is skipped with a message, once).
   */
  private List<Contestant> contestants(String test) {
    List<Contestant> list = new ArrayList<>(options.contestants());
    if (!test.equals(RTT)) {
      list.remove(Contestant.RAW_PAIR); // a stream on it is raw's PUSH/PULL again
    }
    if (list.contains(Contestant.LIBZMQ)) {
      String why = test.equals(RTT) ? Libzmq.available() : "round trip only";
      if (why != null) {
        list.remove(Contestant.LIBZMQ);
        if (test.equals(RTT) && !libzmqSkipNoted) {
          libzmqSkipNoted = true;
          progress("rtt: the libzmq contestant is skipped: %s", why);
        }
      }
    }
    return list;
  }

  /** {@code test}'s contestants in round {@code round}'s order: reversed every other round. */
  private List<Contestant> order(String test, int round) {
    List<Contestant> list = contestants(test);
    list.sort(Comparator.naturalOrder());
    if (round % 2 == 1) {
      java.util.Collections.reverse(list);
    }
    return list;
  }

  private void stream(ReceiverJvm receiver, Endpoints endpoints) {
    if (options.streamWarmupMessages() > 0) {
      for (Contestant c : order(STREAM, 0)) {
        Stream.Result r = Stream.run(c, receiver, endpoints, options,
            options.streamWarmupMessages());
        progress("stream warm-up   %-10s %,12.0f msg/s", c.label, r.messagesPerSecond());
      }
    }
    for (int round = 0; round < options.rounds(); round++) {
      for (Contestant c : order(STREAM, round)) {
        Stream.Result r = Stream.run(c, receiver, endpoints, options, options.streamMessages());
        results.add(STREAM, c, "msg_per_s", r.messagesPerSecond());
        results.add(STREAM, c, "send_msg_per_s", r.sendsPerSecond());
        results.add(STREAM, c, "cpu_us_per_msg", r.cpuMicrosPerMessage());
        results.add(STREAM, c, "sender_cpu_us_per_msg", r.senderCpuMicrosPerMessage());
        results.add(STREAM, c, "receiver_cpu_us_per_msg", r.receiverCpuMicrosPerMessage());
        progress("stream round %d/%d %-10s %,12.0f msg/s (sends %,.0f/s, %.2f CPU us/msg)",
            round + 1, options.rounds(), c.label, r.messagesPerSecond(), r.sendsPerSecond(),
            r.cpuMicrosPerMessage());
      }
    }
  }

  /**
   * Ours only: one sender, then each number of virtual senders, N messages in all each time, to
   * one remote thread, for every round (after one unreported warm-up of each).
   */
  private void manySenders(ReceiverJvm receiver, Endpoints endpoints) {
    List<Integer> counts = new ArrayList<>();
    counts.add(1);
    counts.addAll(options.senders());
    for (int round = -1; round < options.rounds(); round++) {
      for (int senders : counts) {
        Stream.Result r = Stream.ours(receiver, endpoints, options, options.codec(),
            options.streamMessages(), senders);
        if (round >= 0) {
          results.add(MANY, Contestant.OURS, "msg_per_s_" + senders, r.messagesPerSecond());
        }
        progress("many %s %,7d sender(s) %,12.0f msg/s", round < 0 ? "warm-up  "
            : "round " + (round + 1) + "/" + options.rounds(), senders, r.messagesPerSecond());
      }
    }
  }

  /**
   * Why the libzmq contestant cannot run here (its C program did not build), or null if it can.
   *
   * @return the reason, naming what to install, or null
   */
  public static String libzmqUnavailable() {
    return Libzmq.available();
  }

  /**
   * The suite's entry: runs the harness with {@code args} (as on the command line) and returns
   * every measurement, by test ({@code stream}, {@code rtt}, {@code cold}, {@code many}), then
   * contestant label, then metric, the values in the order measured.
   *
   * @param args the options, as for {@link #main}
   * @return the measurements
   * @throws IllegalStateException if a round lost a message or a peer failed
   */
  public static java.util.Map<String, java.util.Map<String, java.util.Map<String, List<Double>>>>
      measure(String... args) {
    Options options = Options.parse(args);
    RemoteBench bench = new RemoteBench(options);
    int status = bench.run();
    if (status != 0) {
      throw new IllegalStateException("the remote benchmark failed (see above): "
          + String.join(" ", args));
    }
    return bench.results.asMap();
  }

  private void roundTrip(ReceiverJvm receiver, Endpoints endpoints) {
    for (Contestant c : order(RTT, 0)) {
      RoundTrip.Result r = RoundTrip.run(c, receiver, endpoints, options);
      progress("rtt warm-up      %-10s p50 %.1f us", c.label, r.percentileMicros(0.5));
    }
    for (int round = 0; round < options.rounds(); round++) {
      for (Contestant c : order(RTT, round)) {
        RoundTrip.Result r = RoundTrip.run(c, receiver, endpoints, options);
        results.add(RTT, c, "p50_us", r.percentileMicros(0.50));
        results.add(RTT, c, "p99_us", r.percentileMicros(0.99));
        results.add(RTT, c, "p99.9_us", r.percentileMicros(0.999));
        results.add(RTT, c, "max_us", r.percentileMicros(1.0));
        progress("rtt round %d/%d    %-10s p50 %.1f us, p99 %.1f us, p99.9 %.1f us",
            round + 1, options.rounds(), c.label, r.percentileMicros(0.5),
            r.percentileMicros(0.99), r.percentileMicros(0.999));
      }
    }
  }

  private void coldStart(Endpoints endpoints) {
    ColdStart.run(options, endpoints, (c, i, s) -> {
      results.add(COLD, c, "connect_to_delivery_ms", s.connectToDeliveryMillis());
      results.add(COLD, c, "jvm_start_to_delivery_ms", s.spawnToDeliveryMillis());
      results.add(COLD, c, "jvm_start_to_main_ms", s.spawnToMainMillis());
      results.add(COLD, c, "connect_call_ms", s.connectCallMillis());
      results.add(COLD, c, "send_call_ms", s.sendCallMillis());
      results.add(COLD, c, "send_to_delivery_ms", s.sendToDeliveryMillis());
      results.add(COLD, c, "jvm_start_to_exit_ms", s.spawnToExitMillis());
      progress("cold JVM %d/%d     %-10s connect->delivery %.1f ms, JVM start->delivery %.1f ms",
          i + 1, options.coldJvms(), c.label, s.connectToDeliveryMillis(),
          s.spawnToDeliveryMillis());
    });
  }

  private static void progress(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }

  // ------------------------------------------------------------------ report

  private String report() {
    StringBuilder sb = new StringBuilder();
    boolean both = options.contestants().contains(Contestant.OURS)
        && options.contestants().contains(Contestant.RAW);
    boolean targetPayload = options.payloadBytes() == 16;
    String targetNote = targetPayload ? "" : " (the target is set for 16 B)";
    if (results.has(STREAM, first(), "msg_per_s")) {
      sb.append(String.format(Locale.ROOT, "Stream: %,d messages of %d B per round, one sender"
          + " thread, one receiver thread%n", options.streamMessages(), options.payloadBytes()));
      Results.Table t = new Results.Table().row("contestant", "msg/s", "MB/s (payload)",
          "sender msg/s", "CPU us/msg (both JVMs)");
      for (Contestant c : contestants(STREAM)) {
        t.row(c.label, spread(STREAM, c, "msg_per_s", "%,.0f"),
            String.format(Locale.ROOT, "%.1f",
                results.median(STREAM, c, "msg_per_s") * options.payloadBytes() / 1e6),
            String.format(Locale.ROOT, "%,.0f", results.median(STREAM, c, "send_msg_per_s")),
            String.format(Locale.ROOT, "%.2f", results.median(STREAM, c, "cpu_us_per_msg")));
      }
      sb.append(t);
      if (both) {
        double ratio = results.median(STREAM, Contestant.OURS, "msg_per_s")
            / results.median(STREAM, Contestant.RAW, "msg_per_s");
        sb.append(String.format(Locale.ROOT, "ours/raw (medians) = %.2f; target >= 0.50: %s%s%n",
            ratio, ratio >= 0.5 ? "MET" : "MISSED", targetNote));
      }
      sb.append('\n');
    }
    if (results.has(RTT, first(), "p50_us")) {
      sb.append(String.format(Locale.ROOT, "Round trip: %,d per round after %,d warm-up, %d B"
          + " request and reply, one at a time%n", options.roundTrips(),
          options.roundTripWarmup(), options.payloadBytes()));
      Results.Table t = new Results.Table().row("contestant", "p50 us", "p99 us", "p99.9 us",
          "max us");
      for (Contestant c : contestants(RTT)) {
        t.row(c.label + switch (c) {
          case OURS, OURS_MSGPACK -> " (2 mailboxes)";
          case RAW, LIBZMQ -> " REQ/REP";
          case RAW_PAIR -> "";
          case PEKKO -> " ask";
        },
            spread(RTT, c, "p50_us", "%.1f"), spread(RTT, c, "p99_us", "%.1f"),
            spread(RTT, c, "p99.9_us", "%.1f"), spread(RTT, c, "max_us", "%.0f"));
      }
      sb.append(t);
      if (both) {
        double ratio = results.median(RTT, Contestant.OURS, "p50_us")
            / results.median(RTT, Contestant.RAW, "p50_us");
        sb.append(String.format(Locale.ROOT, "ours/raw (median p50) = %.2f; target <= 1.50: %s%s%n",
            ratio, ratio <= 1.5 ? "MET" : "MISSED", targetNote));
      }
      sb.append('\n');
    }
    if (results.has(MANY, Contestant.OURS, "msg_per_s_1")) {
      sb.append(String.format(Locale.ROOT, "Many senders (ours): %,d messages of %d B per round"
          + " in all, to one remote thread%n", options.streamMessages(), options.payloadBytes()));
      Results.Table t = new Results.Table().row("senders", "msg/s", "vs 1 sender");
      double single = results.median(MANY, Contestant.OURS, "msg_per_s_1");
      List<Integer> counts = new ArrayList<>();
      counts.add(1);
      counts.addAll(options.senders());
      for (int senders : counts) {
        t.row(String.format(Locale.ROOT, "%,d", senders),
            spread(MANY, Contestant.OURS, "msg_per_s_" + senders, "%,.0f"),
            String.format(Locale.ROOT, "%.2f",
                results.median(MANY, Contestant.OURS, "msg_per_s_" + senders) / single));
      }
      sb.append(t).append('\n');
    }
    if (results.has(COLD, first(), "connect_to_delivery_ms")) {
      sb.append(String.format(Locale.ROOT, "Cold start: %d fresh JVMs per contestant, each"
          + " connects and sends one message to a warm receiver (median / max, ms)%n",
          options.coldJvms()));
      Results.Table t = new Results.Table().row("contestant", "connect -> delivery",
          "connect() call", "send() call", "send -> delivery", "JVM start -> main",
          "JVM start -> delivery", "JVM start -> exit");
      for (Contestant c : options.contestants()) {
        t.row(c.label, medianMax(COLD, c, "connect_to_delivery_ms"),
            medianMax(COLD, c, "connect_call_ms"), medianMax(COLD, c, "send_call_ms"),
            medianMax(COLD, c, "send_to_delivery_ms"), medianMax(COLD, c, "jvm_start_to_main_ms"),
            medianMax(COLD, c, "jvm_start_to_delivery_ms"),
            medianMax(COLD, c, "jvm_start_to_exit_ms"));
      }
      sb.append(t);
      if (options.contestants().contains(Contestant.OURS)) {
        double max = results.max(COLD, Contestant.OURS, "connect_to_delivery_ms");
        double median = results.median(COLD, Contestant.OURS, "connect_to_delivery_ms");
        sb.append(String.format(Locale.ROOT, "ours connect -> delivery: median %.0f ms, max %.0f"
            + " ms; target <= 300 ms: %s%n", median, max,
            max <= 300 ? "MET" : median <= 300 ? "MISSED by the slowest JVM" : "MISSED"));
      }
    }
    return sb.toString();
  }

  private Contestant first() {
    return options.contestants().iterator().next();
  }

  private String spread(String test, Contestant c, String metric, String format) {
    if (!results.has(test, c, metric)) {
      return "-";
    }
    String median = String.format(Locale.ROOT, format, results.median(test, c, metric));
    if (results.values(test, c, metric).size() == 1) {
      return median;
    }
    return median + " [" + String.format(Locale.ROOT, format, results.min(test, c, metric))
        + " .. " + String.format(Locale.ROOT, format, results.max(test, c, metric)) + "]";
  }

  private String medianMax(String test, Contestant c, String metric) {
    if (!results.has(test, c, metric)) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.0f / %.0f", results.median(test, c, metric),
        results.max(test, c, metric));
  }

  private static void deleteQuietly(Path directory) {
    if (directory == null) {
      return;
    }
    try (var files = Files.walk(directory)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + directory + ": " + e);
    }
  }
}
