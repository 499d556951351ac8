package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.Overflow;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublicationStats;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mbt soak}: many sender threads drive one publication in this process for a while; the
 * counts, the heap after GC and the thread count are checked at the end against a baseline taken
 * after a warm-up.
 *
 * <p><b>Thread safety:</b> {@link #call} runs on the main thread; the counters are written by
 * the sender threads and the consumer thread and read by the main thread.
 */
@Command(
    name = "soak",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "Drives one publication with many senders for a while and checks that nothing is lost"
            + " and that heap and thread count stay flat.",
        "",
        "Publishes a consumer thread (its mailbox limited to --mailbox-limit messages, blocking"
            + " the publication when full) on a loopback endpoint, and starts --senders virtual"
            + " threads that send 'SENDER:SEQ' without pause through --connections connections."
            + " The consumer checks that each sender's messages arrive in order, with no gap and"
            + " no repeat. After a warm-up (a tenth of the run, 2 s to 60 s) it takes a baseline:"
            + " heap used after a full GC, and the JVM's live platform threads. It prints one"
            + " line per sample. At the end the senders stop, everything sent must arrive, and"
            + " the heap after GC must be within --heap-growth of the baseline, and the thread"
            + " count within 4 of it (JIT compiler threads come and go).",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:every check passed",
        "2:usage: --minutes and --seconds together, a value out of range",
        "4:cannot publish on the loopback endpoint",
        "6:a check failed: a message lost, repeated or out of order, a send timed out, a"
            + " frame dropped, the heap or the thread count grew"},
    footer = {"", "Examples:",
        "  mbt soak --minutes 10",
        "  mbt soak --seconds 30 --senders 200 --connections 8 --transport ipc"})
final class SoakCommand implements Callable<Integer> {
  /** Thread count above the baseline that is not a leak: the JIT adds and removes threads. */
  static final int THREAD_SLACK = 4;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN = Duration.ofSeconds(60);

  @Spec private CommandSpec spec;

  @Option(names = "--minutes", paramLabel = "N", description = "run for N minutes")
  private int minutes;

  @Option(names = "--seconds", paramLabel = "N",
      description = "run for N seconds instead (default, with neither: 1 minute)")
  private int seconds;

  @Option(names = "--senders", paramLabel = "N", defaultValue = "64",
      description = "sending threads, virtual (default: ${DEFAULT-VALUE})")
  private int senders;

  @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
      description = "connections the senders share, round-robin (default: ${DEFAULT-VALUE})")
  private int connections;

  @Option(names = "--transport", paramLabel = "tcp|ipc", defaultValue = "tcp",
      description = "tcp (127.0.0.1) or ipc (a socket in a temporary directory)"
          + " (default: ${DEFAULT-VALUE})")
  private String transport;

  @Option(names = "--mailbox-limit", paramLabel = "N", defaultValue = "10000",
      description = "the consumer's mailbox capacity (default: ${DEFAULT-VALUE})")
  private int mailboxLimit;

  @Option(names = "--heap-growth", paramLabel = "MIB", defaultValue = "32",
      description = "heap growth after GC allowed over the baseline, in MiB"
          + " (default: ${DEFAULT-VALUE})")
  private int heapGrowthMib;

  /** What a soak measured, and the checks on it. */
  record Measures(long sent, long received, long violations, long sendTimeouts, long dropped,
      long baselineHeap, long finalHeap, long maxHeap, int baselineThreads, int finalThreads,
      int maxThreads, long heapGrowthAllowed) {

    /** The failed checks, each as a sentence; empty when all passed. */
    List<String> failures() {
      List<String> f = new ArrayList<>();
      if (received != sent) {
        f.add(String.format(Locale.ROOT, "%d sent but %d received", sent, received));
      }
      if (violations > 0) {
        f.add(violations + " message(s) out of order, repeated or after a gap");
      }
      if (sendTimeouts > 0) {
        f.add(sendTimeouts + " send(s) timed out");
      }
      if (dropped > 0) {
        f.add("the publication dropped " + dropped + " frame(s)");
      }
      if (finalHeap - baselineHeap > heapGrowthAllowed) {
        f.add("the heap after GC grew from " + mib(baselineHeap) + " to " + mib(finalHeap)
            + " (allowed: " + mib(heapGrowthAllowed) + " more)");
      }
      if (finalThreads > baselineThreads + THREAD_SLACK) {
        f.add("the thread count grew from " + baselineThreads + " to " + finalThreads);
      }
      if (maxThreads > baselineThreads + THREAD_SLACK) {
        f.add("the thread count reached " + maxThreads + " (baseline " + baselineThreads + ")");
      }
      return f;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (minutes != 0 && seconds != 0) {
      throw Failure.usage("give --minutes or --seconds, not both");
    }
    if (minutes < 0 || seconds < 0 || senders < 1 || connections < 1 || mailboxLimit < 1
        || heapGrowthMib < 0) {
      throw Failure.usage("--minutes, --seconds, --heap-growth must be 0 or more, --senders,"
          + " --connections and --mailbox-limit 1 or more");
    }
    Duration run = minutes > 0 ? Duration.ofMinutes(minutes)
        : Duration.ofSeconds(seconds > 0 ? seconds : 60);
    Duration warmUp = Duration.ofMillis(
        Math.clamp(run.toMillis() / 10, 2_000, 60_000));
    Duration sampleEvery = Duration.ofMillis(Math.max(1_000, run.toMillis() / 10));
    String endpoint = switch (transport) {
      case "tcp" -> "tcp://127.0.0.1:*";
      case "ipc" -> "ipc://" + temporaryDirectory().resolve("soak");
      default -> throw Failure.usage("--transport: tcp or ipc, not '" + transport + "'");
    };
    PrintWriter out = spec.commandLine().getOut();

    Consumer consumer = new Consumer(senders);
    Thread consumerThread = Thread.ofPlatform().name("soak-consumer").start(consumer);
    MailboxThreads.limitMailbox(consumerThread, mailboxLimit, Overflow.BLOCK);
    Publication publication = Remote.publish(consumerThread, PublishOptions.defaults(),
        List.of(Endpoint.parse(endpoint, true)));
    String bound = publication.endpoints().get(0);
    List<RemoteThread> remotes = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      remotes.add(Remote.connect(ConnectOptions.defaults().withSendTimeout(SEND_TIMEOUT),
          List.of(Endpoint.parse(bound, false))));
    }
    out.printf("soak: %d senders, %d connections, %s %s, for %s (warm-up %s)%n", senders,
        connections, transport, bound, Durations.format(run), Durations.format(warmUp));
    out.flush();

    Senders load = new Senders(remotes, senders);
    long start = System.nanoTime();
    park(start + warmUp.toNanos());
    Sample baseline = Sample.take();
    print(out, "baseline", start, load, consumer, baseline);
    long maxHeap = baseline.heap();
    int maxThreads = baseline.threads();
    long end = start + run.toNanos();
    for (long next = System.nanoTime() + sampleEvery.toNanos(); next < end;
        next += sampleEvery.toNanos()) {
      park(next);
      Sample s = Sample.take();
      maxHeap = Math.max(maxHeap, s.heap());
      maxThreads = Math.max(maxThreads, s.threads());
      print(out, "sample", start, load, consumer, s);
    }
    park(end);
    load.stop();
    long sent = load.sent.sum();
    long drainDeadline = System.nanoTime() + DRAIN.toNanos();
    while (consumer.received.get() < sent && System.nanoTime() < drainDeadline) {
      park(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10));
    }
    Sample last = Sample.take();
    print(out, "final", start, load, consumer, last);
    PublicationStats stats = publication.stats();
    Measures m = new Measures(sent, consumer.received.get(), consumer.violations.get(),
        load.timeouts.sum(), stats.droppedTotal(), baseline.heap(), last.heap(),
        Math.max(maxHeap, last.heap()), baseline.threads(), last.threads(),
        Math.max(maxThreads, last.threads()), (long) heapGrowthMib << 20);
    send(consumerThread, Consumer.STOP);
    consumerThread.join(TimeUnit.SECONDS.toMillis(10));
    for (String failure : load.failures) {
      out.println("soak: a sender failed: " + failure);
    }
    List<String> failures = new ArrayList<>(m.failures());
    if (!load.failures.isEmpty()) {
      failures.add(load.failures.size() + " sender(s) failed");
    }
    String summary = String.format(Locale.ROOT, "%d sent, %d received, heap after GC %s ->"
        + " %s (max %s), threads %d -> %d (max %d)", m.sent(), m.received(),
        mib(m.baselineHeap()), mib(m.finalHeap()), mib(m.maxHeap()), m.baselineThreads(),
        m.finalThreads(), m.maxThreads());
    if (failures.isEmpty()) {
      out.println("soak: OK: " + summary);
      return Exit.OK;
    }
    out.println("soak: FAILED: " + String.join("; ", failures) + " (" + summary + ")");
    return Exit.CHECK_FAILED;
  }

  private static Path temporaryDirectory() {
    try {
      Path dir = Files.createTempDirectory("mbt-soak");
      Session.current().deleteAtExit(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void print(PrintWriter out, String what, long start, Senders load,
      Consumer consumer, Sample s) {
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    out.printf(Locale.ROOT, "soak: %-8s %4d s: sent %d, received %d, heap after GC %s,"
        + " threads %d%n", what, seconds, load.sent.sum(), consumer.received.get(),
        mib(s.heap()), s.threads());
    out.flush();
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** Waits until {@code deadlineNanos}; the main thread is never interrupted but by Ctrl-C. */
  private static void park(long deadlineNanos) {
    for (long left; (left = deadlineNanos - System.nanoTime()) > 0; ) {
      java.util.concurrent.locks.LockSupport.parkNanos(left);
    }
  }

  /** Heap used after a full GC, and live platform threads. */
  record Sample(long heap, int threads) {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static Sample take() {
      System.gc(); // G1 runs a full collection: what is left is what is live
      return new Sample(MEMORY.getHeapMemoryUsage().getUsed(), THREADS.getThreadCount());
    }
  }

  /**
   * The consumer thread: checks each sender's sequence. Its counters are written by it alone and
   * read by the main thread.
   */
  static final class Consumer implements Runnable {
    static final Object STOP = new Object();
    final AtomicLong received = new AtomicLong();
    final AtomicLong violations = new AtomicLong();
    private final long[] next;

    Consumer(int senders) {
      next = new long[senders];
    }

    @Override
    public void run() {
      for (Object m; (m = receive()) != STOP; ) {
        String s = (String) m;
        int colon = s.indexOf(':');
        int sender = Integer.parseInt(s, 0, colon, 10);
        long seq = Long.parseLong(s, colon + 1, s.length(), 10);
        if (seq != next[sender]) {
          violations.incrementAndGet();
        }
        next[sender] = seq + 1;
        received.incrementAndGet();
      }
    }
  }

  /** The sending threads: virtual, each on connection {@code i % connections}, no pause. */
  static final class Senders {
    final LongAdder sent = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    Senders(List<RemoteThread> remotes, int count) {
      for (int i = 0; i < count; i++) {
        RemoteThread remote = remotes.get(i % remotes.size());
        String prefix = i + ":";
        threads.add(Thread.ofVirtual().name("soak-sender-" + i).start(() -> {
          try {
            for (long seq = 0; !stopping; ) {
              try {
                remote.send(prefix + seq);
                seq++;
                sent.increment();
              } catch (SendTimeoutException e) {
                timeouts.increment();
              }
            }
          } catch (RuntimeException e) {
            failures.add(e.toString());
          }
        }));
      }
    }

    void stop() throws InterruptedException {
      stopping = true;
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
