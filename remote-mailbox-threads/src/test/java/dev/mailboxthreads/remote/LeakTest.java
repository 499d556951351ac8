package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing a context gives back every thread and file descriptor it took: publications,
 * connections, sockets, selectors, ZeroMQ's own threads.
 *
 * <p>Each test first runs its scenario once unmeasured: the first run loads classes and opens
 * jar files that stay open for the life of the JVM, which is not a leak. Then the baseline is
 * taken, the scenario runs again, and both counts must come back to the baseline exactly. ZeroMQ
 * closes sockets on its reaper thread, so the return is awaited (bounded), not assumed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeakTest {
  private static final String STOP = "stop (local)";

  @TempDir Path dir;

  @Test
  void contextClose_afterPublishingConnectingAndSending_threadsAndFdsBackToBaseline()
      throws Exception {
    busyContext(dir.resolve("warm-up"));
    Snapshot baseline = Snapshot.take();

    busyContext(dir.resolve("measured"));

    awaitBackTo(baseline);
  }

  @Test
  void contextCreateAndClose_20Times_noGrowth() throws Exception {
    RemoteContext.create().close();
    busyContext(dir.resolve("warm-up"));
    Snapshot baseline = Snapshot.take();

    for (int i = 0; i < 20; i++) {
      RemoteContext.create().close(); // never used
      try (RemoteContext ctx = RemoteContext.create()) {
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*",
            "ipc://" + dir.resolve("c" + i + ".sock"));
        send(ctx.connect(pub.endpoints().get(0)), "round " + i);
        send(ctx.connect(pub.endpoints().get(1)), "round " + i);
        assertThat(receive(Duration.ofSeconds(10))).isEqualTo("round " + i);
        assertThat(receive(Duration.ofSeconds(10))).isEqualTo("round " + i);
      }
    }

    awaitBackTo(baseline);
  }

  /**
   * Shared connections (for decoded addresses) and their idle sweeper, and calls through
   * publications, give everything back at context close too: one connection closed by the
   * sweeper for idleness, one still open at close.
   */
  @Test
  void contextClose_afterSharedConnectionsAndCalls_threadsAndFdsBackToBaseline()
      throws Exception {
    sharedConnectionsAndCalls();
    Snapshot baseline = Snapshot.take();

    sharedConnectionsAndCalls();

    awaitBackTo(baseline);
  }

  private static void sharedConnectionsAndCalls() throws Exception {
    Thread server = start(() -> {
      for (int i = 0; i < 3; i++) {
        Object m = receive();
        if (m instanceof ReplyAddressTest.Hello hello) {
          hello.from().send("back " + i);
        } else if (m instanceof dev.mailboxthreads.Request r) {
          r.reply("answer");
        }
      }
    });
    try (ReplyAddressTest.RawPull peer = new ReplyAddressTest.RawPull();
        RemoteContext ctx = RemoteContext.create(Duration.ofMillis(100))) {
      Publication pub = ctx.publish(server, ReplyAddressTest.PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread toServer = ctx.connect(ReplyAddressTest.CONNECT, pub.endpoints().get(0));
      RemoteThread toPeer = ctx.connect(ReplyAddressTest.CONNECT, peer.endpoint());
      send(toServer, new ReplyAddressTest.Hello(toPeer, "first"));
      assertThat(peer.receiveString()).isEqualTo("back 0");
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> ctx.sharedConnectionCount() == 0);
      assertThat(dev.mailboxthreads.MailboxThreads.call(toServer, "q", Duration.ofSeconds(10)))
          .isEqualTo("answer");
      send(toServer, new ReplyAddressTest.Hello(toPeer, "second"));
      assertThat(peer.receiveString()).isEqualTo("back 2");
    }
    server.join();
  }

  /**
   * A context with 5 publications (tcp, ipc, inproc, and two with several endpoints), 10
   * connections, messages through all of them, then context.close().
   */
  private static void busyContext(Path dir) throws Exception {
    Files.createDirectories(dir);
    int perConnection = 50;
    CountDownLatch delivered = new CountDownLatch(10 * perConnection);
    List<Thread> receivers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      receivers.add(start(() -> {
        while (!STOP.equals(receive())) {
          delivered.countDown();
        }
      }));
    }
    try (RemoteContext ctx = RemoteContext.create()) {
      List<Publication> pubs = List.of(
          ctx.publish(receivers.get(0), "tcp://127.0.0.1:*"),
          ctx.publish(receivers.get(1), "ipc://" + dir.resolve("p1.sock")),
          ctx.publish(receivers.get(2), "inproc://leak-" + System.nanoTime()),
          ctx.publish(receivers.get(3), "tcp://127.0.0.1:*", "ipc://" + dir.resolve("p3.sock")),
          ctx.publish(receivers.get(4), "tcp://127.0.0.1:*", "tcp://127.0.0.1:*"));
      List<RemoteThread> remotes = new ArrayList<>();
      for (Publication pub : pubs) {
        remotes.add(ctx.connect(pub.endpoints().get(0)));
        remotes.add(ctx.connect(pub.endpoints().toArray(String[]::new)));
      }
      for (int i = 0; i < perConnection; i++) {
        for (RemoteThread remote : remotes) {
          send(remote, "m" + i);
        }
      }
      assertThat(delivered.await(20, TimeUnit.SECONDS)).as("all delivered").isTrue();
    }
    for (Thread receiver : receivers) {
      send(receiver, STOP);
      receiver.join();
    }
  }

  static void awaitBackTo(Snapshot baseline) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> {
          Snapshot now = Snapshot.take();
          // a subset, not equal: a context closed by an earlier test may still have its reaper
          // finishing when the baseline is taken; what must not be there is a new thread
          assertThat(now.mbtThreads()).as("threads of this library, none new")
              .isSubsetOf(baseline.mbtThreads());
          assertThat(now.otherNewThreads(baseline))
              .as("other threads started since the baseline").isEmpty();
          assertThat(now.fds().size())
              .as("open file descriptors; new: %s, gone: %s",
                  difference(now.fds(), baseline.fds()), difference(baseline.fds(), now.fds()))
              .isLessThanOrEqualTo(baseline.fds().size());
        });
  }

  private static Map<String, String> difference(Map<String, String> a, Map<String, String> b) {
    Map<String, String> d = new TreeMap<>(a);
    d.entrySet().removeIf(e -> e.getValue().equals(b.get(e.getKey())));
    return d;
  }

  /**
   * Threads and file descriptors at one moment.
   *
   * @param mbtThreads names of live threads of this library ("mbt-" prefix)
   * @param threads all live platform threads
   * @param fds open file descriptors: number to what it refers to (/proc/self/fd)
   */
  record Snapshot(Set<String> mbtThreads, Set<Thread> threads, Map<String, String> fds) {
    static Snapshot take() throws IOException {
      Set<Thread> threads = Thread.getAllStackTraces().keySet().stream()
          .filter(Thread::isAlive)
          .collect(Collectors.toSet());
      Set<String> mbt = threads.stream()
          .map(Thread::getName)
          .filter(n -> n.startsWith("mbt-"))
          .collect(Collectors.toSet());
      return new Snapshot(mbt, threads, openFds());
    }

    /**
     * Threads alive now that were not at the baseline, except those the JVM starts and keeps
     * on its own schedule: carrier threads of virtual threads (ForkJoinPool workers, kept alive
     * for a while after use), JIT compiler threads (their number varies with load), and
     * Awaitility's condition thread (the one running this check).
     */
    Set<String> otherNewThreads(Snapshot baseline) {
      return threads.stream()
          .filter(t -> !baseline.threads().contains(t))
          .map(Thread::getName)
          .filter(n -> !n.startsWith("ForkJoinPool-"))
          .filter(n -> !n.contains("CompilerThread"))
          .filter(n -> !n.startsWith("awaitility"))
          .collect(Collectors.toSet());
    }

    private static Map<String, String> openFds() throws IOException {
      Path fdDir = Path.of("/proc/self/fd");
      if (!Files.isDirectory(fdDir)) {
        // not Linux: the count alone
        var os = (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Map<String, String> counted = new TreeMap<>();
        for (long i = 0; i < os.getOpenFileDescriptorCount(); i++) {
          counted.put(Long.toString(i), "?");
        }
        return counted;
      }
      Map<String, String> fds = new TreeMap<>();
      try (Stream<Path> list = Files.list(fdDir)) {
        for (Path fd : list.toList()) {
          try {
            fds.put(fd.getFileName().toString(), Files.readSymbolicLink(fd).toString());
          } catch (IOException e) {
            // closed meanwhile (e.g. the directory stream's own descriptor)
          }
        }
      }
      return fds;
    }
  }
}
