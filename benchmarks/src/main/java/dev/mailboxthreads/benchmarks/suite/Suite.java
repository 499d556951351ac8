package dev.mailboxthreads.benchmarks.suite;

import dev.mailboxthreads.benchmarks.RingVsErlang;
import dev.mailboxthreads.benchmarks.remote.RemoteBench;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The comparison suite (issue 8): runs, in turn, the five parts against their peers in one
 * invocation, and writes the tables (each cell with its ratio to the best of its row) and SVG
 * charts.
 *
 * <ol>
 *   <li>Local hand-off (JMH {@code Streaming}, {@code PingPong} and their Pekko peers {@code
 *       PekkoStreaming}, {@code PekkoPingPong}): ours, {@code LinkedTransferQueue}, JCTools MPSC
 *       with park/unpark, Pekko actors.
 *   <li>Ring of N ({@link RingVsErlang}): ours on virtual threads, ours again in a JVM tuned
 *       for it ({@link RingVsErlang#TUNED_FLAGS}), Pekko actors, Erlang processes (skipped,
 *       with a message, when {@code erl} is not installed).
 *   <li>Remote stream, two JVMs over tcp loopback ({@link RemoteBench}), payloads 16 B, 256 B,
 *       4 KiB: ours (default codec), ours with {@code MsgpackCodec}, raw JeroMQ PUSH/PULL, Pekko
 *       remote (Artery TCP).
 *   <li>Remote round trip: ours through two mailboxes, raw JeroMQ REQ/REP, Pekko ask, libzmq's
 *       REQ/REP in C (empty when gcc or libzmq3-dev is missing).
 *   <li>Many senders: 1,000 and 100,000 virtual threads sending at once to one remote thread,
 *       against one sender.
 * </ol>
 *
 * <p>Every part checks its counts (a lost message fails the part, it does not speed it up).
 * Usage: {@code Suite --suite smoke|full [--parts 1,2,3,4,5] [--out DIR]}; {@code smoke} runs
 * every contestant with tiny counts (under a minute on a quiet 2-core machine) and writes into
 * {@code target/bench-smoke} unless {@code --out} says otherwise; {@code full} writes {@code
 * docs/benchmarks-suite.md} and its charts (run it from the repository's root, on a quiet
 * machine). Exit status 0 if every part ran, 1 if a part failed (the document says which), 2 on
 * a bad command line.
 */
public final class Suite {
  /** How much to run. */
  public enum Level {
    /** Tiny counts, one round, no JMH fork: exercises every contestant end to end. */
    SMOKE,
    /** The figures: JMH forks, warm-up and repetition, the three ring sizes, three rounds. */
    FULL
  }

  /** The parts of the suite, in the order they run. */
  public enum Part {
    /** Local hand-off. */
    LOCAL("1. Local hand-off"),
    /** Ring of N. */
    RING("2. Ring of N"),
    /** Remote stream. */
    STREAM("3. Remote stream (two JVMs, tcp loopback)"),
    /** Remote round trip. */
    RTT("4. Remote round trip (two JVMs, tcp loopback)"),
    /** Many senders. */
    MANY("5. Many senders to one remote thread");

    final String title;

    Part(String title) {
      this.title = title;
    }
  }

  /**
   * What a level runs.
   *
   * @param level the level
   * @param forks JMH forks (0: in this JVM)
   * @param warmupIterations JMH warm-up iterations
   * @param iteration JMH warm-up and measurement iteration time
   * @param iterations JMH measurement iterations
   * @param producers the streaming producers (1, 4)
   * @param threadKinds the thread kinds (PLATFORM, VIRTUAL)
   * @param ringSizes ring sizes
   * @param ringHops hops per ring round
   * @param ringRounds measured ring rounds
   * @param payloads remote payload sizes
   * @param remoteArgs arguments for every remote run (counts, rounds)
   * @param senders the many-senders thread counts
   * @param manyMessages messages per many-senders run
   */
  public record Settings(Level level, int forks, int warmupIterations, TimeValue iteration,
      int iterations, String[] producers, String[] threadKinds, int[] ringSizes, int ringHops,
      int ringRounds, int[] payloads, List<String> remoteArgs, String senders,
      long manyMessages) {

    /**
     * The settings of a level.
     *
     * @param level smoke or full
     * @return its settings
     */
    public static Settings of(Level level) {
      return switch (level) {
        case SMOKE -> new Settings(level, 0, 1, TimeValue.milliseconds(200), 1,
            new String[] {"1"}, new String[] {"PLATFORM"}, new int[] {1_000}, 10_000, 1,
            new int[] {16}, List.of("--messages", "5000", "--warmup-messages", "0", "--rounds",
                "1", "--round-trips", "200", "--round-trip-warmup", "50"),
            "1000,100000", 100_000);
        case FULL -> new Settings(level, 2, 3, TimeValue.seconds(1), 5,
            new String[] {"1", "4"}, new String[] {"PLATFORM", "VIRTUAL"},
            new int[] {10_000, 100_000, 1_000_000}, 1_000_000, 5, new int[] {16, 256, 4096},
            // a Pekko or msgpack round of 2,000,000 messages can take a minute on a busy machine
            List.of("--rounds", "3", "--timeout-seconds", "300"), "1000,100000", 2_000_000);
      };
    }
  }

  private static final List<String> LOCAL_PEERS = List.of("ours", "LinkedTransferQueue",
      "JCTools MPSC + park", "Pekko actors");
  private static final Map<String, String> CONTESTANT_LABELS = Map.of(
      "MAILBOX", "ours", "LINKED_TRANSFER_QUEUE", "LinkedTransferQueue",
      "JCTOOLS_MPSC_PARK", "JCTools MPSC + park");
  private static final List<String> REMOTE_PEERS = List.of("ours", "ours msgpack", "raw JeroMQ",
      "Pekko Artery");
  /** The round trip's peers: the remote ones and libzmq in C, the p99.9 target's baseline. */
  private static final List<String> RTT_PEERS = List.of("ours", "ours msgpack", "raw JeroMQ",
      "Pekko Artery", "libzmq (C)");

  private final Settings settings;
  private final Set<Part> parts;
  private final List<Table> tables = new ArrayList<>();
  private final Map<Part, List<Table>> byPart = new LinkedHashMap<>();
  private final Map<Part, String> failures = new LinkedHashMap<>();
  private final Map<Part, String> notes = new LinkedHashMap<>();

  /**
   * A suite run.
   *
   * @param settings what to run
   * @param parts which parts
   */
  public Suite(Settings settings, Set<Part> parts) {
    this.settings = settings;
    this.parts = EnumSet.copyOf(parts);
  }

  /**
   * Runs the suite; see the class comment.
   *
   * @param args {@code --suite smoke|full [--parts 1,2,3,4,5] [--out DIR]}
   */
  public static void main(String[] args) {
    Level level = null;
    Set<Part> parts = EnumSet.allOf(Part.class);
    Path out = null;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("-h") || a.equals("--help")) {
          System.out.println(USAGE);
          System.exit(0);
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--suite" -> level = switch (v.toLowerCase(Locale.ROOT)) {
            case "smoke" -> Level.SMOKE;
            case "full" -> Level.FULL;
            default -> throw new IllegalArgumentException("--suite must be smoke or full: " + v);
          };
          case "--parts" -> {
            parts = EnumSet.noneOf(Part.class);
            for (String p : v.split(",")) {
              int n;
              try {
                n = Integer.parseInt(p.trim());
              } catch (NumberFormatException e) {
                n = 0;
              }
              if (n < 1 || n > 5) {
                throw new IllegalArgumentException("--parts takes numbers 1 to 5: " + p);
              }
              parts.add(Part.values()[n - 1]);
            }
          }
          case "--out" -> out = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option: " + a);
        }
      }
      if (level == null) {
        throw new IllegalArgumentException("say which suite: --suite smoke or --suite full");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    if (out == null) {
      out = level == Level.FULL ? Path.of("docs") : Path.of("target", "bench-smoke");
      if (level == Level.FULL && !Files.isRegularFile(out.resolve("benchmarks.md"))) {
        System.err.println("error: --suite full writes into docs/ next to docs/benchmarks.md,"
            + " which is not here (" + out.toAbsolutePath() + "): run it from the repository's"
            + " root, or say where with --out DIR");
        System.exit(2);
        return;
      }
    }
    Suite suite = new Suite(Settings.of(level), parts);
    String command = "--suite " + level.name().toLowerCase(Locale.ROOT)
        + (parts.size() == Part.values().length ? "" : " --parts " + String.join(",",
            parts.stream().map(p -> Integer.toString(p.ordinal() + 1)).toList()));
    int status;
    try {
      status = suite.runAndWrite(out, command);
    } catch (IOException e) {
      System.err.println("error: cannot write the results under " + out + ": " + e);
      status = 1;
    }
    System.exit(status);
  }

  static final String USAGE = """
      usage: Suite --suite smoke|full [--parts 1,2,3,4,5] [--out DIR]
        --suite smoke   every contestant, tiny counts, under a minute; writes target/bench-smoke
        --suite full    the figures (about 15 minutes on 2 cores); writes docs/benchmarks-suite.md and
                        docs/benchmarks-suite-*.svg: run it from the repository's root
        --parts         only these parts: 1 local hand-off, 2 ring, 3 remote stream,
                        4 remote round trip, 5 many senders (default all)
        --out DIR       where to write benchmarks-suite.md, .csv and the charts
      """;

  /**
   * Runs every part and writes the document, the CSV and the charts into {@code dir}.
   *
   * @param dir the directory
   * @param command the suite's arguments, for the document
   * @return 0 if every part ran, 1 otherwise
   * @throws IOException if a file cannot be written
   */
  public int runAndWrite(Path dir, String command) throws IOException {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadAtStart = loadAverage();
    // read before the run writes its own outputs, which would make any tree "-dirty"
    String commit = gitCommit();
    long t0 = System.nanoTime();
    run();
    Duration wall = Duration.ofNanos(System.nanoTime() - t0).truncatedTo(ChronoUnit.SECONDS);
    Files.createDirectories(dir);
    String subtitle = String.format(Locale.ROOT, "%s, %s; %d CPUs, load %s at start",
        started, settings.level().name().toLowerCase(Locale.ROOT),
        Runtime.getRuntime().availableProcessors(), loadAtStart);
    StringBuilder csv = new StringBuilder("table,row,peer,index,value\n");
    for (Table t : tables) {
      Files.writeString(dir.resolve("benchmarks-suite-" + t.id + ".svg"),
          SuiteChart.render(t, subtitle), StandardCharsets.UTF_8);
      csv.append(t.csv());
    }
    Files.writeString(dir.resolve("benchmarks-suite.csv"), csv, StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("benchmarks-suite.md"),
        document(started, commit, wall, loadAtStart, loadAverage(), command),
        StandardCharsets.UTF_8);
    System.err.println("wrote " + dir.resolve("benchmarks-suite.md") + ", .csv and "
        + tables.size() + " charts");
    failures.forEach((p, f) -> System.err.println("FAILED " + p.title + ": " + f));
    return failures.isEmpty() ? 0 : 1;
  }

  /** Runs the parts; a part that fails is recorded and the next one runs. */
  public void run() {
    for (Part p : parts) {
      System.err.printf(Locale.ROOT, "%n=== %s (%s; load %s)%n", p.title,
          settings.level().name().toLowerCase(Locale.ROOT), loadAverage());
      try {
        switch (p) {
          case LOCAL -> local();
          case RING -> ring();
          case STREAM -> remote(Part.STREAM);
          case RTT -> remote(Part.RTT);
          case MANY -> many();
        }
      } catch (Exception | Error e) {
        e.printStackTrace();
        failures.put(p, String.valueOf(e).replace('\n', ' '));
      }
    }
  }

  /**
   * The failures of the last {@link #run}, by part.
   *
   * @return part to what failed
   */
  public Map<Part, String> failures() {
    return Map.copyOf(failures);
  }

  /**
   * The notes of the last {@link #run} (a part skipped), by part.
   *
   * @return part to note
   */
  public Map<Part, String> notes() {
    return Map.copyOf(notes);
  }

  /**
   * The tables of the last {@link #run}.
   *
   * @return the tables, in order
   */
  public List<Table> tables() {
    return List.copyOf(tables);
  }

  private void add(Part part, Table t) {
    tables.add(t);
    byPart.computeIfAbsent(part, p -> new ArrayList<>()).add(t);
  }

  // ------------------------------------------------------------------ 1. local

  private void local() throws RunnerException {
    if (settings.level() == Level.SMOKE) {
      // JMH refuses to run while another JMH holds /tmp/jmh.lock (it would disturb the
      // figures); a smoke run's figures mean nothing, so it may share the machine
      System.setProperty("jmh.ignoreLock", "true");
    }
    ChainedOptionsBuilder b = new OptionsBuilder()
        .include("\\.(Pekko)?(Streaming|PingPong)\\.")
        .param("contestant", "MAILBOX", "LINKED_TRANSFER_QUEUE", "JCTOOLS_MPSC_PARK")
        .param("producers", settings.producers())
        .param("threads", settings.threadKinds())
        .forks(settings.forks())
        .warmupIterations(settings.warmupIterations())
        .warmupTime(settings.iteration())
        .measurementIterations(settings.iterations())
        .measurementTime(settings.iteration())
        .shouldFailOnError(true);
    Collection<RunResult> results = new Runner(b.build()).run();
    Table stream = new Table("local-stream", "Local streaming", "messages/s", true, LOCAL_PEERS);
    Table pingPong = new Table("local-pingpong", "Local ping-pong", "round trips/s", true,
        LOCAL_PEERS);
    List<Double> pekkoPingPong = new ArrayList<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String simple = benchmark.substring(0, benchmark.lastIndexOf('.'));
      simple = simple.substring(simple.lastIndexOf('.') + 1);
      String threads = r.getParams().getParam("threads");
      String producers = r.getParams().getParam("producers");
      String contestant = r.getParams().getParam("contestant");
      List<Double> perFork = new ArrayList<>();
      for (BenchmarkResult fork : r.getBenchmarkResults()) {
        perFork.add(fork.getPrimaryResult().getScore());
      }
      switch (simple) {
        case "Streaming", "PekkoStreaming" -> {
          String row = producers + " -> 1 stream, " + kind(threads);
          String peer = simple.equals("Streaming") ? CONTESTANT_LABELS.get(contestant)
              : "Pekko actors";
          perFork.forEach(v -> stream.add(row, peer, v));
        }
        case "PingPong" -> perFork.forEach(v -> pingPong.add("ping-pong, " + kind(threads),
            CONTESTANT_LABELS.get(contestant), v));
        case "PekkoPingPong" -> pekkoPingPong.addAll(perFork);
        default -> throw new IllegalStateException("unexpected benchmark " + benchmark);
      }
    }
    // Pekko's ping-pong runs on its dispatcher whatever the thread kind: the same figure in
    // every ping-pong row
    for (String row : pingPong.rowLabels()) {
      pekkoPingPong.forEach(v -> pingPong.add(row, "Pekko actors", v));
    }
    check(!stream.rowLabels().isEmpty() && !pingPong.rowLabels().isEmpty(),
        "JMH returned no result for streaming or ping-pong");
    add(Part.LOCAL, stream);
    add(Part.LOCAL, pingPong);
  }

  private static String kind(String threads) {
    return threads.toLowerCase(Locale.ROOT) + " threads";
  }

  // ------------------------------------------------------------------ 2. ring

  private void ring() throws Exception {
    Set<RingVsErlang.Peer> peers = EnumSet.allOf(RingVsErlang.Peer.class);
    if (!RingVsErlang.erlangAvailable()) {
      notes.put(Part.RING, "erl/erlc not found on the PATH: the Erlang column was skipped"
          + " (install Erlang, e.g. apt-get install erlang-base).");
      peers.remove(RingVsErlang.Peer.ERLANG);
    }
    List<String> labels = Arrays.stream(RingVsErlang.Peer.values()).map(p -> p.label).toList();
    Table hops = new Table("ring-hops", "Ring, one token", "hops/s", true, labels);
    Table spawn = new Table("ring-spawn", "Ring, spawn N receivers", "ms", false, labels);
    Table heap = new Table("ring-memory", "Ring, memory per idle receiver", "bytes", false,
        labels);
    Map<Integer, Map<RingVsErlang.Peer, RingVsErlang.Side>> results = RingVsErlang.compare(
        settings.ringSizes(), settings.ringHops(), settings.ringRounds(), peers);
    results.forEach((n, row) -> row.forEach((peer, side) -> {
      String label = String.format(Locale.ROOT, "N = %,d", n);
      for (double v : side.hopsPerSecond()) {
        hops.add(label, peer.label, v);
      }
      spawn.add(label, peer.label, side.spawnMillis());
      heap.add(label, peer.label, side.bytesPerReceiver());
    }));
    add(Part.RING, hops);
    add(Part.RING, spawn);
    add(Part.RING, heap);
  }

  // ------------------------------------------------------------------ 3, 4. remote

  private void remote(Part part) {
    boolean stream = part == Part.STREAM;
    String noLibzmq = stream ? null : RemoteBench.libzmqUnavailable();
    if (noLibzmq != null) {
      notes.put(part, "the libzmq column was skipped: " + noLibzmq + ".");
    }
    Table rate = new Table("remote-stream", "Remote stream", "messages/s", true, REMOTE_PEERS);
    Table mb = new Table("remote-stream-mb", "Remote stream, payload", "MB/s", true,
        REMOTE_PEERS);
    Table senderCpu = new Table("remote-stream-sender-cpu", "Remote stream, sender CPU",
        "µs per message", false, REMOTE_PEERS);
    Table receiverCpu = new Table("remote-stream-receiver-cpu", "Remote stream, receiver CPU",
        "µs per message", false, REMOTE_PEERS);
    Table p50 = new Table("remote-rtt-p50", "Remote round trip, median", "µs", false, RTT_PEERS);
    Table p99 = new Table("remote-rtt-p99", "Remote round trip, p99", "µs", false, RTT_PEERS);
    Table p999 = new Table("remote-rtt-p999", "Remote round trip, p99.9", "µs", false,
        RTT_PEERS);
    for (int payload : settings.payloads()) {
      List<String> args = new ArrayList<>(settings.remoteArgs());
      args.addAll(List.of("--payload", Integer.toString(payload), "--only",
          stream ? "stream" : "rtt", "--contestants",
          stream ? "ours,msgpack,raw,pekko" : "ours,msgpack,raw,pekko,libzmq"));
      Map<String, Map<String, Map<String, List<Double>>>> r =
          RemoteBench.measure(args.toArray(String[]::new));
      String row = payload >= 1024 ? payload / 1024 + " KiB" : payload + " B";
      if (stream) {
        r.getOrDefault("stream", Map.of()).forEach((peer, metrics) -> {
          metrics.getOrDefault("msg_per_s", List.of()).forEach(v -> {
            rate.add(row, peer, v);
            mb.add(row, peer, v * payload / 1e6);
          });
          metrics.getOrDefault("sender_cpu_us_per_msg", List.of())
              .forEach(v -> senderCpu.add(row, peer, v));
          metrics.getOrDefault("receiver_cpu_us_per_msg", List.of())
              .forEach(v -> receiverCpu.add(row, peer, v));
        });
      } else {
        r.getOrDefault("rtt", Map.of()).forEach((peer, metrics) -> {
          metrics.getOrDefault("p50_us", List.of()).forEach(v -> p50.add(row, peer, v));
          metrics.getOrDefault("p99_us", List.of()).forEach(v -> p99.add(row, peer, v));
          metrics.getOrDefault("p99.9_us", List.of()).forEach(v -> p999.add(row, peer, v));
        });
      }
    }
    if (stream) {
      check(rate.rowLabels().size() == settings.payloads().length, "stream rows missing");
      add(part, rate);
      add(part, mb);
      add(part, senderCpu);
      add(part, receiverCpu);
    } else {
      check(p50.rowLabels().size() == settings.payloads().length, "round-trip rows missing");
      add(part, p50);
      add(part, p99);
      add(part, p999);
    }
  }

  // ------------------------------------------------------------------ 5. many senders

  private void many() {
    List<String> args = new ArrayList<>(settings.remoteArgs());
    args.addAll(List.of("--payload", "16", "--only", "many", "--contestants", "ours",
        "--senders", settings.senders(), "--messages", Long.toString(settings.manyMessages())));
    Map<String, Map<String, Map<String, List<Double>>>> r =
        RemoteBench.measure(args.toArray(String[]::new));
    List<String> counts = new ArrayList<>();
    counts.add("1");
    counts.addAll(List.of(settings.senders().split(",")));
    List<String> peers = counts.stream().map(c -> String.format(Locale.ROOT, "%,d %s",
        Integer.parseInt(c), c.equals("1") ? "sender" : "virtual senders")).toList();
    Table t = new Table("many-senders", "Many senders, ours", "messages/s", true, peers, false);
    String row = String.format(Locale.ROOT, "%,d messages of 16 B", settings.manyMessages());
    Map<String, List<Double>> metrics = r.getOrDefault("many", Map.of())
        .getOrDefault("ours", Map.of());
    for (int i = 0; i < counts.size(); i++) {
      for (double v : metrics.getOrDefault("msg_per_s_" + counts.get(i), List.of())) {
        t.add(row, peers.get(i), v);
      }
    }
    check(!t.rowLabels().isEmpty(), "many senders: no result");
    add(Part.MANY, t);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }

  // ------------------------------------------------------------------ the document

  private String document(Instant started, String commit, Duration wall, String loadStart,
      String loadEnd, String command) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Benchmark suite: ours against its peers\n\n");
    sb.append("<!-- Generated by dev.mailboxthreads.benchmarks.suite.Suite (./mbt bench ")
        .append(command).append("); do not edit, run it again. -->\n\n");
    sb.append(String.format(Locale.ROOT, "**Run:** `./mbt bench %s`, started %s, wall time %s;"
        + " commit %s; %s; %d CPUs (%s); %s. Load average (1, 5, 15 min) %s at the start, %s at"
        + " the end.%n%n", command, started, wall.toString().substring(2).toLowerCase(Locale.ROOT),
        commit, System.getProperty("java.vm.vendor") + " " + Runtime.version(),
        Runtime.getRuntime().availableProcessors(), cpuModel(),
        System.getProperty("os.name") + " " + System.getProperty("os.version"), loadStart,
        loadEnd));
    if (settings.level() == Level.SMOKE) {
      sb.append("**A smoke run:** tiny counts, one round, no JMH fork. It shows that every"
          + " contestant runs end to end and every count adds up; its figures mean nothing.\n\n");
    }
    sb.append("Each cell is the median of the run's measurements (JMH forks, ring rounds, remote"
        + " rounds; every value is in `benchmarks-suite.csv`), and in parentheses its ratio to"
        + " the best cell of its row (**bold**, 1.00): below 1 is slower for a rate, above 1 is"
        + " slower or bigger for a time or a size. *ours / best other* divides ours by the best"
        + " of the other peers (not by a variant of ours, such as ours msgpack). All peers of a row ran in this invocation, one after the other,"
        + " on the same machine. Every part checks its counts: a lost message fails the part"
        + " instead of making it faster. docs/benchmarks.md describes the harnesses.\n\n");
    for (Part p : parts) {
      sb.append("## ").append(p.title).append("\n\n");
      sb.append(description(p)).append("\n\n");
      if (notes.containsKey(p)) {
        sb.append("*Note:* ").append(notes.get(p)).append("\n\n");
      }
      if (failures.containsKey(p)) {
        sb.append("**FAILED:** `").append(failures.get(p).replace('`', '\'')).append("`\n\n");
      }
      for (Table t : byPart.getOrDefault(p, List.of())) {
        sb.append(t.markdown()).append('\n');
        sb.append("![").append(t.title).append("](benchmarks-suite-").append(t.id)
            .append(".svg)\n\n");
      }
    }
    return sb.toString();
  }

  private String description(Part p) {
    Settings s = settings;
    return switch (p) {
      case LOCAL -> String.format(Locale.ROOT, "JMH `Streaming` and `PingPong` (ours,"
          + " `LinkedTransferQueue`, JCTools `MpscUnboundedArrayQueue` with park/unpark) and"
          + " their Pekko peers `PekkoStreaming` (producer threads `tell` a consumer actor) and"
          + " `PekkoPingPong` (two actors `tell` one ball; on Pekko's dispatcher whatever the"
          + " row's thread kind, so the same figure in both ping-pong rows). %d fork(s), %d"
          + " warm-up and %d measured iterations of %s; the consumer counts every batch.",
          s.forks(), s.warmupIterations(), s.iterations(), s.iteration());
      case RING -> String.format(Locale.ROOT, "`RingVsErlang`: a ring of N receivers, one token;"
          + " ours on virtual threads, Pekko classic actors (default dispatcher, same JVM, after"
          + " ours stopped), Erlang processes (`erl`). %,d hops per round, one unmeasured round,"
          + " then %d measured. *ours, tuned JVM* is ours again in a JVM of its own started with"
          + " `" + String.join(" ", RingVsErlang.TUNED_FLAGS) + "` (one carrier thread, a young"
          + " generation that holds a lap: what bounds the ring with the defaults, docs/benchmarks.md"
          + " \"Session 8\"). Spawn: ours until every thread is parked in `receive`, Pekko until"
          + " every actor ran its `preStart`, Erlang until every `spawn` returned. Memory: heap growth"
          + " after a full GC / N (ours, Pekko), `erlang:memory(processes)` growth / N (Erlang).",
          s.ringHops(), s.ringRounds());
      case STREAM -> "`RemoteBench --only stream`: one sender thread in this JVM, one receiver"
          + " in a second JVM, tcp on 127.0.0.1, HWM 100,000. ours: `send(remote, String)` with"
          + " the default codec, or `MsgpackCodec` (the interop codec); raw JeroMQ PUSH/PULL with"
          + " the same bytes; Pekko remote (Artery TCP, `byte[]` through Pekko's"
          + " ByteArraySerializer, the serializer Pekko binds to `byte[]`), the sender keeping at"
          + " most 100,000 messages unacknowledged (Pekko drops what overflows its outbound"
          + " queue; the acknowledgements are the peer's flow control). Arguments: `"
          + String.join(" ", s.remoteArgs()) + "`.";
      case RTT -> "`RemoteBench --only rtt`: one request at a time, the reply checked. ours"
          + " through two mailboxes (default codec or `MsgpackCodec`), raw JeroMQ REQ/REP, Pekko"
          + " `Patterns.ask` (a temporary actor per request) to an echo actor, and libzmq's own"
          + " REQ/REP between two C processes (`zmq_rtt.c`, built with gcc against Debian's"
          + " libzmq3-dev; the column is empty when they are missing). Each round opens new"
          + " sockets and runs 20,000 unreported round trips before it measures (RemoteBench's"
          + " default): the new sockets deoptimize hot code, and on two busy cores the JIT then"
          + " recompiles for seconds in both JVMs, its long runs delaying woken threads by up to"
          + " 4 ms (docs/benchmarks.md, \"Session 13\"). Arguments: `"
          + String.join(" ", s.remoteArgs()) + "`.";
      case MANY -> String.format(Locale.ROOT, "`RemoteBench --only many`: %,d messages of 16 B"
          + " in all to one remote thread, from one sender thread, then from %s virtual threads"
          + " started before the clock and released at once, sharing one `RemoteThread`.",
          s.manyMessages(), String.join(" and ", Arrays.stream(s.senders().split(","))
              .map(c -> String.format(Locale.ROOT, "%,d", Integer.parseInt(c))).toList()));
    };
  }

  private static String gitCommit() {
    try {
      Process p = new ProcessBuilder("git", "describe", "--always", "--dirty")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? "`" + out + "`" : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    } catch (IOException | RuntimeException e) {
      return "unknown CPU";
    }
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

}
