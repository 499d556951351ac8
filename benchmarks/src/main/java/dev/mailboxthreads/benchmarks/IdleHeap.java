package dev.mailboxthreads.benchmarks;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.mailboxthreads.MailboxThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Heap bytes per idle virtual thread: blocked in {@code MailboxThreads.receive()} (ours), in
 * {@code LockSupport.park()} (the floor: a parked virtual thread and nothing else), and in
 * {@code LinkedBlockingQueue.take()} on a queue of its own (a mailbox built from a JDK queue).
 * Not a JMH benchmark: JMH measures time, this measures retained heap.
 *
 * <p>Run {@code java -cp benchmarks/target/benchmarks.jar
 * dev.mailboxthreads.benchmarks.IdleHeap [--histogram] [--repeat K] [N ...]} (default N: 100000
 * 1000000; {@code --histogram} also prints the top of each child's class histogram while its
 * threads are blocked; each (variant, N) runs K times, default 3, and the table gives the median
 * and the range: the stack chunk of a parked thread varies by tens of bytes from one JVM to the
 * next). Each (variant, N)
 * runs in a fresh child JVM, started with this JVM's java and its JVM options (plus {@code
 * -Xmx4g} unless a maximum heap is given), so that one measurement cannot inherit another's
 * class loading, JIT state or grown tables. A child:
 *
 * <ol>
 *   <li>warms up: {@link #WARMUP_ROUNDS} rounds of {@link #WARMUP_THREADS} threads of its
 *       variant, started, waited for and stopped, then a pause for the JIT to finish, so that
 *       the frames a thread is parked in are compiled ones, as in a long-running program. This
 *       matters: a virtual thread's stack is copied to the heap when it parks, and interpreted
 *       frames are several times larger (without warm-up a parked thread's stack chunk alone
 *       is about 1 KB instead of about 200 B). Each round is small, so the mailbox registry's
 *       table stays small;
 *   <li>allocates the array that will hold the N threads, then runs {@code System.gc()} until
 *       used heap is stable (MemoryMXBean) and reads it;
 *   <li>starts N virtual threads and waits until every one is {@code WAITING};
 *   <li>reads used heap after GC again; the difference divided by N is the result;
 *   <li>wakes every thread (unpark, a STOP message, or an interrupt) and joins it.
 * </ol>
 */
public final class IdleHeap {
  /** Threads per warm-up round. */
  static final int WARMUP_THREADS = 10_000;

  /** Warm-up rounds. */
  static final int WARMUP_ROUNDS = 20;

  /** Pause after warm-up, for background compilations to finish. */
  static final long WARMUP_PAUSE_MILLIS = 2_000;

  private static final Object STOP = new Object();
  private static volatile boolean parkStop;

  private IdleHeap() {}

  /** What an idle thread is blocked in. */
  enum Variant {
    /** {@code LockSupport.park()}: a parked virtual thread, the floor. */
    PARK {
      @Override
      Thread start() {
        return Thread.ofVirtual().start(() -> {
          while (!parkStop) {
            LockSupport.park();
          }
        });
      }

      @Override
      void wake(Thread t) {
        parkStop = true;
        LockSupport.unpark(t);
      }
    },
    /** Ours: a thread started with {@code MailboxThreads.start}, blocked in {@code receive()}. */
    MAILBOX_RECEIVE {
      @Override
      Thread start() {
        return MailboxThreads.start(() -> {
          if (MailboxThreads.receive() != STOP) {
            throw new IllegalStateException("expected STOP");
          }
        });
      }

      @Override
      void wake(Thread t) {
        MailboxThreads.send(t, STOP);
      }
    },
    /** A virtual thread blocked in {@code take()} on its own {@link LinkedBlockingQueue}. */
    LBQ_TAKE {
      @Override
      Thread start() {
        return Thread.ofVirtual().start(() -> {
          try {
            new LinkedBlockingQueue<Object>().take();
            throw new IllegalStateException("nothing is ever put");
          } catch (InterruptedException e) {
            // woken to stop
          }
        });
      }

      @Override
      void wake(Thread t) {
        t.interrupt();
      }
    };

    abstract Thread start();

    abstract void wake(Thread t);
  }

  /** What {@link #main} takes. */
  static final String USAGE = "usage: IdleHeap [--histogram] [--repeat K] [N ...]\n"
      + "  N          threads per child JVM (default 100000 1000000)\n"
      + "  --repeat K child JVMs per variant and N (default 3); the table shows their median\n"
      + "  --histogram  print each child's class histogram";

  /**
   * Parses a count of {@link #main}'s arguments.
   *
   * @param value the argument
   * @param what its name, for the error
   * @return the count, at least 1
   * @throws IllegalArgumentException naming the argument and the usage, if it is not one
   */
  static int positive(String value, String what) {
    int n;
    try {
      n = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " must be a positive whole number, not '" + value
          + "'\n" + USAGE, e);
    }
    if (n < 1) {
      throw new IllegalArgumentException(what + " must be at least 1, not " + n + "\n" + USAGE);
    }
    return n;
  }

  /**
   * Runs every variant for every N, each in a child JVM, and prints a table; or, with {@code
   * --child VARIANT N}, measures one.
   *
   * @param args {@code [N ...]} or {@code --child VARIANT N}
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("--child")) {
      Variant v = Variant.valueOf(args[1]);
      int n = Integer.parseInt(args[2]);
      System.out.println(measure(v, n, args.length > 3 && args[3].equals("--histogram")));
      return;
    }
    List<Integer> sizes = new ArrayList<>();
    boolean histogram = false;
    int repeat = 3;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          System.out.println(USAGE);
          return;
        } else if (a.equals("--histogram")) {
        histogram = true;
        } else if (a.equals("--repeat")) {
          if (i + 1 == args.length) {
            throw new IllegalArgumentException("--repeat needs a count\n" + USAGE);
          }
          repeat = positive(args[++i], "--repeat");
        } else {
          sizes.add(positive(a.replace("_", ""), "N"));
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
    if (sizes.isEmpty()) {
      sizes = List.of(100_000, 1_000_000);
    }
    System.out.println(describeJvm());
    // each (variant, N) `repeat` times, in turn: a parked thread's stack chunk varies from one
    // JVM to the next with the JIT's timing (about +-70 B seen), so one child is not a figure
    Map<String, List<Double>> results = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      for (int n : sizes) {
        for (Variant v : Variant.values()) {
          String line = runChild(v, n, histogram);
          System.out.println(line);
          results.computeIfAbsent(v + "/" + n, k -> new ArrayList<>())
              .add(Double.parseDouble(field(line, "bytesPerThread")));
        }
      }
    }
    System.out.println();
    System.out.println("Median of " + repeat + " child JVMs per cell, [min .. max]:");
    System.out.println();
    System.out.println("| N | park (floor) | LBQ take | mailbox receive | mailbox - park "
        + "| mailbox / LBQ | target <= 800 B |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---|");
    for (int n : sizes) {
      List<Double> park = results.get("PARK/" + n);
      List<Double> lbq = results.get("LBQ_TAKE/" + n);
      List<Double> ours = results.get("MAILBOX_RECEIVE/" + n);
      double oursMedian = median(ours);
      System.out.println(String.format(Locale.ROOT,
          "| %,d | %s | %s | %s | %+.0f B | %.2f | %s |",
          n, cell(park), cell(lbq), cell(ours), oursMedian - median(park),
          oursMedian / median(lbq), oursMedian <= 800 ? "met" : "MISSED"));
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int k = sorted.size();
    return k % 2 == 1 ? sorted.get(k / 2) : (sorted.get(k / 2 - 1) + sorted.get(k / 2)) / 2;
  }

  private static String cell(List<Double> values) {
    return String.format(Locale.ROOT, "%.0f B [%.0f .. %.0f]", median(values),
        values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
        values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
  }

  private static String runChild(Variant v, int n, boolean histogram)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
    cmd.addAll(jvmArgs);
    if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx"))) {
      cmd.add("-Xmx4g");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        IdleHeap.class.getName(), "--child", v.name(), Integer.toString(n)));
    if (histogram) {
      cmd.add("--histogram");
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String result = null;
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line;
        } else {
          System.err.println("  [" + v + " " + n + "] " + line);
        }
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException("child " + v + " " + n + " failed (exit " + exit + ")");
    }
    return result;
  }

  private static String field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException(name + " not in " + line);
  }

  static String describeJvm() {
    HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    StringBuilder gcs = new StringBuilder();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs.append(gcs.isEmpty() ? "" : ",").append(gc.getName().replace(' ', '_'));
    }
    return "JVM " + System.getProperty("java.vm.version")
        + " gc=" + gcs
        + " UseCompressedOops=" + hs.getVMOption("UseCompressedOops").getValue()
        + " UseCompactObjectHeaders=" + option(hs, "UseCompactObjectHeaders")
        + " maxHeap=" + Runtime.getRuntime().maxMemory() / (1 << 20) + "M"
        + " processors=" + Runtime.getRuntime().availableProcessors();
  }

  private static String option(HotSpotDiagnosticMXBean hs, String name) {
    try {
      return hs.getVMOption(name).getValue();
    } catch (IllegalArgumentException e) {
      return "n/a";
    }
  }

  private static String measure(Variant v, int n, boolean histogram)
      throws IOException, InterruptedException {
    for (int round = 0; round < WARMUP_ROUNDS; round++) {
      Thread[] warm = new Thread[WARMUP_THREADS];
      startAll(v, warm);
      stopAll(v, warm);
      parkStop = false;
    }
    Thread.sleep(WARMUP_PAUSE_MILLIS);
    Thread[] threads = new Thread[n];
    long before = usedAfterGc();
    long t0 = System.nanoTime();
    startAll(v, threads);
    long startMillis = (System.nanoTime() - t0) / 1_000_000;
    long after = usedAfterGc();
    double perThread = (after - before) / (double) n;
    if (histogram) {
      printHistogram();
    }
    stopAll(v, threads);
    return String.format(Locale.ROOT,
        "RESULT variant=%s n=%d before=%d after=%d bytesPerThread=%.1f startMillis=%d",
        v, n, before, after, perThread, startMillis);
  }

  /** Prints the top of this JVM's class histogram (jcmd GC.class_histogram), for analysis. */
  private static void printHistogram() throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()),
        "GC.class_histogram").redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      r.lines().limit(24).forEach(System.out::println);
    }
    p.waitFor();
  }

  private static void startAll(Variant v, Thread[] threads) throws InterruptedException {
    for (int i = 0; i < threads.length; i++) {
      threads[i] = v.start();
    }
    Ring.awaitAllWaiting(threads);
  }

  private static void stopAll(Variant v, Thread[] threads) throws InterruptedException {
    for (Thread t : threads) {
      v.wake(t);
    }
    for (Thread t : threads) {
      if (!t.join(Duration.ofMinutes(1))) {
        throw new IllegalStateException(t + " did not stop: " + t.getState());
      }
    }
  }

  /** Used heap after {@code System.gc()}, repeated until two readings agree within 64 KiB. */
  static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = -1;
    for (int i = 0; i < 20; i++) {
      System.gc();
      Thread.sleep(100);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (previous >= 0 && Math.abs(used - previous) < 64 * 1024) {
        return Math.min(used, previous);
      }
      previous = used;
    }
    return previous;
  }
}
