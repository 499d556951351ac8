package dev.mailboxthreads.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;

/**
 * The ring of N mailbox threads against the same ring of N Pekko actors and of N Erlang
 * processes, in one invocation: spawn time, bytes per idle receiver and hops per second, with
 * the ratio of each to the best of the three.
 *
 * <p>Ours is {@link Ring.Threads} (virtual threads started by {@code MailboxThreads.unstarted},
 * one token, each thread receiving from its mailbox and sending to the next); Pekko's is {@link
 * PekkoRing} (classic actors, default dispatcher, in this JVM, after ours has been stopped);
 * Erlang's is {@code ring.erl} from this jar, compiled with {@code erlc} and run by {@code erl}
 * (Debian's {@code erlang-base}) with the same N, hops and rounds. Each side builds its ring,
 * goes once around it, runs one unmeasured round of {@code hops} hops, then {@code rounds}
 * measured ones. Bytes per idle receiver: for ours and Pekko, the growth of the used heap after
 * a full GC, divided by N (the rigorous measurement for ours is {@link IdleHeap}); for Erlang,
 * the growth of {@code erlang:memory(processes)} divided by N. Spawn time: ours until every
 * thread is parked in its receive; Pekko's until every actor has run its {@code preStart}
 * (actors start asynchronously, after {@code actorOf} returns); Erlang's until every {@code
 * spawn} has returned (Erlang processes, too, first run after {@code spawn} returns).
 *
 * <p>{@link Peer#OURS_TUNED} is ours again, in a JVM of its own started with {@link
 * #TUNED_FLAGS}: what the ring does when the two JVM defaults that bound it are changed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mailboxthreads.benchmarks.RingVsErlang [--sizes
 * 100000,1000000] [--hops 1000000] [--rounds 5] [--peers ours,ours_tuned,pekko,erlang]}. Without {@code
 * erl} and {@code erlc} on the PATH the Erlang side is skipped with a message (install {@code
 * erlang-base}).
 */
public final class RingVsErlang {
  private RingVsErlang() {}

  /**
   * The JVM options of {@link Peer#OURS_TUNED}, what bounds the ring with the JVM's defaults
   * (docs/benchmarks.md, "Session 8"):
   *
   * <ul>
   *   <li>{@code -Djdk.virtualThreadScheduler.parallelism=1}: with two carriers, the idle one
   *       steals the thread each hop wakes, so four hops in five change carrier, with the
   *       token, the mailbox and the thread's stack crossing cores each time;
   *   <li>{@code -XX:+UseParallelGC -Xmn4g}: every park of a thread that waited a whole lap
   *       allocates a new stack chunk, which lives until the thread's next turn; a young
   *       generation smaller than a lap's allocation (about 450 MB at 10^6 threads) copies
   *       nearly all of it at each collection;
   *   <li>{@code -XX:+AlwaysPreTouch}: the heap's pages are touched at start-up, not by the
   *       first rounds (a quarter slower without it at 10^6).
   * </ul>
   */
  public static final List<String> TUNED_FLAGS = List.of("-Xms6g", "-Xmx6g",
      "-XX:+AlwaysPreTouch", "-Djdk.virtualThreadScheduler.parallelism=1", "-XX:+UseParallelGC",
      "-Xmn4g");

  /** The ring's contestants. */
  public enum Peer {
    /** Mailbox threads (virtual). */
    OURS("ours"),
    /**
     * The same ring of mailbox threads in a JVM of its own started with {@link #TUNED_FLAGS}:
     * one carrier thread for virtual threads and a young generation that holds a lap.
     */
    OURS_TUNED("ours, tuned JVM"),
    /** Pekko classic actors. */
    PEKKO("Pekko actors"),
    /** Erlang processes, in erl. */
    ERLANG("Erlang processes");

    /** Its name in tables. */
    public final String label;

    Peer(String label) {
      this.label = label;
    }
  }

  /**
   * One side's results for one N.
   *
   * @param spawnMillis time to spawn N receivers
   * @param bytesPerReceiver memory per idle receiver
   * @param hopsPerSecond one figure per measured round
   */
  public record Side(double spawnMillis, double bytesPerReceiver, double[] hopsPerSecond) {
    /**
     * The median of the rounds.
     *
     * @return hops per second
     */
    public double median() {
      double[] sorted = hopsPerSecond.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    String range() {
      double[] sorted = hopsPerSecond.clone();
      Arrays.sort(sorted);
      return String.format("%s [%s .. %s]", mega(median()), mega(sorted[0]),
          mega(sorted[sorted.length - 1]));
    }
  }

  /**
   * Whether {@code erl} and {@code erlc} can be started.
   *
   * @return true if both answer
   */
  public static boolean erlangAvailable() {
    for (String tool : List.of("erl", "erlc")) {
      boolean found = false;
      String path = System.getenv("PATH");
      for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
        if (Files.isExecutable(Path.of(dir, tool))) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs the ring for every size and peer, in turn.
   *
   * @param sizes ring sizes
   * @param hops hops per round
   * @param rounds measured rounds
   * @param peers who runs; {@link Peer#ERLANG} is skipped, with a message on stderr, when
   *     {@code erl} is missing
   * @return per size, the results of each peer that ran
   * @throws Exception if a side fails
   */
  public static Map<Integer, Map<Peer, Side>> compare(int[] sizes, int hops, int rounds,
      Set<Peer> peers) throws Exception {
    Set<Peer> run = EnumSet.copyOf(peers);
    if (run.contains(Peer.ERLANG) && !erlangAvailable()) {
      System.err.println("ring: erl/erlc not found on the PATH: the Erlang side is skipped"
          + " (install Erlang, e.g. apt-get install erlang-base)");
      run.remove(Peer.ERLANG);
    }
    Map<Integer, Map<Peer, Side>> results = new LinkedHashMap<>();
    Path dir = Files.createTempDirectory("mbt-ring-erl");
    try {
      if (run.contains(Peer.ERLANG)) {
        compileErlang(dir);
      }
      if (run.contains(Peer.OURS)) {
        warmUp();
      }
      if (run.contains(Peer.OURS_TUNED)) {
        System.err.println("ring: " + Peer.OURS_TUNED.label + " runs in a JVM of its own with "
            + String.join(" ", TUNED_FLAGS));
      }
      for (int n : sizes) {
        Map<Peer, Side> row = new EnumMap<>(Peer.class);
        for (Peer p : run) {
          System.err.printf("ring: %s, N = %,d%n", p.label, n);
          row.put(p, switch (p) {
            case OURS -> ours(n, hops, rounds);
            case OURS_TUNED -> oursInTunedJvm(n, hops, rounds);
            case PEKKO -> pekko(n, hops, rounds);
            case ERLANG -> erlang(dir, n, hops, rounds);
          });
        }
        results.put(n, row);
      }
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
    return results;
  }

  /**
   * Runs the comparison and prints a Markdown table.
   *
   * @param args see the class notes
   * @throws Exception if a side fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals(CHILD)) {
      warmUp();
      Side side = ours(Integer.parseInt(args[1]), Integer.parseInt(args[2]),
          Integer.parseInt(args[3]));
      StringBuilder line = new StringBuilder("SIDE ").append(side.spawnMillis()).append(' ')
          .append(side.bytesPerReceiver());
      for (double r : side.hopsPerSecond()) {
        line.append(' ').append(r);
      }
      System.out.println(line);
      return;
    }
    int[] sizes = {100_000, 1_000_000};
    int hops = 1_000_000;
    int rounds = 5;
    Set<Peer> peers = EnumSet.allOf(Peer.class);
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[++i].split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--hops" -> hops = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--peers" -> {
          peers = EnumSet.noneOf(Peer.class);
          for (String p : args[++i].split(",")) {
            peers.add(Peer.valueOf(p.trim().toUpperCase(java.util.Locale.ROOT)));
          }
        }
        default -> {
          System.err.println("unknown argument " + args[i] + "; usage: RingVsErlang [--sizes N,N]"
              + " [--hops H] [--rounds R] [--peers ours,ours_tuned,pekko,erlang]");
          System.exit(64);
        }
      }
    }
    Map<Integer, Map<Peer, Side>> results = compare(sizes, hops, rounds, peers);
    System.out.printf("%n%d hops per round, %d rounds, median [min .. max] hops/s%n%n", hops,
        rounds);
    System.out.println("| N | peer | hops/s | vs best | spawn ms | bytes per idle receiver |");
    System.out.println("|---:|---|---|---:|---:|---:|");
    results.forEach((n, row) -> {
      double best = row.values().stream().mapToDouble(Side::median).max().orElse(Double.NaN);
      row.forEach((p, side) -> System.out.println(String.format(
          "| %,d | %s | %s | %.2f | %.0f | %.0f |", n, p.label, side.range(),
          side.median() / best, side.spawnMillis(), side.bytesPerReceiver())));
    });
  }

  /** The JIT sees the ring's code before anything is measured: {@link Ring#warmUp}. */
  private static void warmUp() throws InterruptedException {
    Ring.warmUp(Contestant.MAILBOX);
  }

  private static Side ours(int n, int hops, int rounds) throws InterruptedException {
    return measure(() -> new Ring.Threads(Contestant.MAILBOX, n), n, hops, rounds);
  }

  /** The first argument of the JVM {@link Peer#OURS_TUNED} starts. */
  private static final String CHILD = "--child-ours";

  /**
   * Runs {@link #ours} in a JVM of its own started with {@link #TUNED_FLAGS}, this JVM's
   * classpath and {@link #CHILD}; it prints one {@code SIDE spawn bytes rate...} line.
   */
  private static Side oursInTunedJvm(int n, int hops, int rounds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(TUNED_FLAGS);
    // absolute, since the child runs in the temp directory
    String classPath = Arrays.stream(System.getProperty("java.class.path")
        .split(java.io.File.pathSeparator)).map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    command.addAll(List.of("-cp", classPath,
        RingVsErlang.class.getName(), CHILD, Integer.toString(n), Integer.toString(hops),
        Integer.toString(rounds)));
    List<String> out = run(command, Path.of(System.getProperty("java.io.tmpdir")));
    for (String line : out) {
      if (line.startsWith("SIDE ")) {
        double[] f = Arrays.stream(line.substring(5).trim().split(" "))
            .mapToDouble(Double::parseDouble).toArray();
        if (f.length != 2 + rounds) {
          break;
        }
        return new Side(f[0], f[1], Arrays.copyOfRange(f, 2, f.length));
      }
    }
    throw new IllegalStateException("the tuned JVM printed no SIDE line with " + rounds
        + " rounds: " + out);
  }

  /** Makes a ring of N receivers. */
  private interface Spawner {
    HopRing spawn() throws InterruptedException;
  }

  /** Spawn time, heap per receiver once the token has been round once, then hops/s. */
  private static Side measure(Spawner spawner, int n, int hops, int rounds)
      throws InterruptedException {
    long before = usedHeapAfterGc();
    long t0 = System.nanoTime();
    HopRing ring = spawner.spawn();
    double spawnMillis = (System.nanoTime() - t0) / 1e6;
    ring.hops(n); // every receiver has run and waits
    double bytes = (double) (usedHeapAfterGc() - before) / n;
    ring.hops(hops);
    double[] rates = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long start = System.nanoTime();
      ring.hops(hops);
      rates[r] = hops / ((System.nanoTime() - start) / 1e9);
    }
    ring.stop();
    return new Side(spawnMillis, bytes, rates);
  }

  private static Side pekko(int n, int hops, int rounds) throws InterruptedException {
    ActorSystem system = PekkoSystems.local("ring");
    try {
      PekkoRing warm = new PekkoRing(system, 10_000);
      for (int lap = 0; lap < 30; lap++) {
        warm.hops(10_000);
      }
      warm.stop();
      return measure(() -> new PekkoRing(system, n), n, hops, rounds);
    } finally {
      PekkoSystems.terminate(system);
    }
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void compileErlang(Path dir) throws IOException, InterruptedException {
    Path source = dir.resolve("ring.erl");
    try (InputStream in = RingVsErlang.class.getResourceAsStream("ring.erl")) {
      if (in == null) {
        throw new IllegalStateException("ring.erl is missing from the jar");
      }
      Files.copy(in, source);
    }
    List<String> out = run(List.of("erlc", "-o", dir.toString(), source.toString()), dir);
    if (!Files.exists(dir.resolve("ring.beam"))) {
      throw new IllegalStateException("erlc did not compile ring.erl: " + out);
    }
  }

  private static Side erlang(Path dir, int n, int hops, int rounds)
      throws IOException, InterruptedException {
    List<String> out = run(List.of("erl", "+P", Integer.toString(Math.max(262_144, 2 * n)),
        "-noshell", "-pa", dir.toString(), "-run", "ring", "main", Integer.toString(n),
        Integer.toString(hops), Integer.toString(rounds)), dir);
    double spawnMillis = Double.NaN;
    double bytes = Double.NaN;
    List<Double> rates = new ArrayList<>();
    for (String line : out) {
      String[] f = line.trim().split("\\s+");
      switch (f[0]) {
        case "SPAWN_NS" -> spawnMillis = Long.parseLong(f[1]) / 1e6;
        case "BYTES_PER_PROCESS" -> bytes = Long.parseLong(f[1]);
        case "HOPS" -> rates.add(Long.parseLong(f[1]) / (Long.parseLong(f[2]) / 1e9));
        default -> { }
      }
    }
    if (rates.size() != rounds) {
      throw new IllegalStateException("erl printed " + rates.size() + " rounds, not " + rounds
          + ": " + out);
    }
    return new Side(spawnMillis, bytes, rates.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Runs a command to its end (10 minutes at most) and returns its output lines. */
  private static List<String> run(List<String> command, Path dir)
      throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException(command.get(0) + " cannot be started (" + e.getMessage()
          + (command.get(0).startsWith("erl") ? "); install Erlang, e.g. apt-get install"
          + " erlang-base" : ")"), e);
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(command + " took more than 10 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command + " exited with " + p.exitValue() + ": " + lines);
    }
    return lines;
  }

  private static String mega(double perSecond) {
    return String.format("%.2f M", perSecond / 1e6);
  }
}
