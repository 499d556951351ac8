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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ring of N mailbox threads against the same ring of N Erlang processes, in one invocation:
 * spawn time, bytes per idle receiver and hops per second, with their ratios.
 *
 * <p>Ours is {@link Ring.Threads} (virtual threads started by {@code MailboxThreads.unstarted},
 * one token, each thread receiving from its mailbox and sending to the next); Erlang's is
 * {@code ring.erl} from this jar, compiled with {@code erlc} and run by {@code erl} (Debian's
 * {@code erlang-base}) with the same N, hops and rounds. Each side builds its ring, goes once
 * around it, runs one unmeasured round of {@code hops} hops, then {@code rounds} measured ones.
 * Bytes per idle receiver: for ours, the growth of the used heap after a full GC, divided by N
 * (the rigorous measurement is {@link IdleHeap}); for Erlang, the growth of {@code
 * erlang:memory(processes)} divided by N.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mailboxthreads.benchmarks.RingVsErlang [--sizes
 * 100000,1000000] [--hops 1000000] [--rounds 5]}. Exit status 2 if {@code erl} or {@code erlc}
 * is missing (install {@code erlang-base}).
 */
public final class RingVsErlang {
  private RingVsErlang() {}

  /** One side's results for one N. */
  record Side(double spawnMillis, double bytesPerReceiver, double[] hopsPerSecond) {
    double median() {
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
   * Runs the comparison and prints a Markdown table.
   *
   * @param args see the class notes
   * @throws Exception if a side fails
   */
  public static void main(String[] args) throws Exception {
    int[] sizes = {100_000, 1_000_000};
    int hops = 1_000_000;
    int rounds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[++i].split(","))
            .mapToInt(Integer::parseInt).toArray();
        case "--hops" -> hops = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("unknown argument " + args[i]
              + "; usage: RingVsErlang [--sizes N,N] [--hops H] [--rounds R]");
          System.exit(64);
        }
      }
    }
    Path dir = Files.createTempDirectory("mbt-ring-erl");
    try {
      compileErlang(dir);
      warmUp();
      List<String> rows = new ArrayList<>();
      for (int n : sizes) {
        Side ours = ours(n, hops, rounds);
        Side erlang = erlang(dir, n, hops, rounds);
        rows.add(String.format("| %,d | %s | %s | **%.2f** | %.0f / %.0f ms | %.0f / %.0f B |",
            n, ours.range(), erlang.range(), ours.median() / erlang.median(), ours.spawnMillis(),
            erlang.spawnMillis(), ours.bytesPerReceiver(), erlang.bytesPerReceiver()));
      }
      System.out.printf("%n%d hops per round, %d rounds, median [min .. max] hops/s%n%n", hops,
          rounds);
      System.out.println("| N | ours | Erlang | ours / Erlang | spawn ours / Erlang "
          + "| bytes per idle receiver ours / Erlang |");
      System.out.println("|---:|---|---|---:|---|---|");
      rows.forEach(System.out::println);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path p : files.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }

  /** The JIT sees the ring's code before anything is measured, as in the JMH {@link Ring}. */
  private static void warmUp() throws InterruptedException {
    Ring.Threads warm = new Ring.Threads(Contestant.MAILBOX, 10_000);
    for (int lap = 0; lap < 30; lap++) {
      warm.hops(10_000);
    }
    warm.stop();
  }

  private static Side ours(int n, int hops, int rounds) throws InterruptedException {
    long before = usedHeapAfterGc();
    long t0 = System.nanoTime();
    Ring.Threads ring = new Ring.Threads(Contestant.MAILBOX, n);
    double spawnMillis = (System.nanoTime() - t0) / 1e6;
    ring.hops(n); // every thread has run and waits
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
      System.err.println(command.get(0) + " cannot be started (" + e.getMessage()
          + "); install Erlang, e.g. apt-get install erlang-base");
      System.exit(2);
      throw e;
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
