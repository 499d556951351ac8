package dev.mailboxthreads.benchmarks.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The second JVM, which receives the stream and serves the round trips; this class is both the
 * parent's handle on it and the command loop it runs.
 *
 * <p>Control protocol, kept off the measured sockets: the parent writes one command per line to
 * the child's stdin ({@code stream-ours ENDPOINT N PAYLOAD HWM TIMEOUT_S}, ...); the child
 * answers with lines that start with {@code "@@ "} on its stdout ({@code ready}, {@code bound
 * ENDPOINT}, {@code synced}, {@code done ...}, {@code error WHAT}). Other stdout lines (a JFR
 * banner, say) are copied to the parent's stderr; the child's stderr is the parent's. A
 * command runs to its end before the next is read, so a test is a fixed sequence of lines.
 *
 * <p><b>Thread safety:</b> the handle is used by one thread at a time (the test being run);
 * {@link #reply} may be called from any thread of the child.
 */
final class ReceiverJvm implements AutoCloseable {
  static final String PREFIX = "@@ ";
  private static final String EOF = "\u0000eof";
  static final Duration SETUP = Duration.ofSeconds(30);

  private final Process process;
  private final Writer stdin;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

  private ReceiverJvm(Process process) {
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofPlatform().daemon().name("receiver-stdout").start(this::pump);
  }

  /** Starts the receiver JVM and waits until it is ready for commands. */
  static ReceiverJvm start(Options options) {
    List<String> cmd = Jvm.command(options.childJvmArgs(), "--role", "receiver");
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new BenchFailure("cannot start the receiver JVM: " + String.join(" ", cmd), e);
    }
    ReceiverJvm rx = new ReceiverJvm(p);
    rx.await("ready", Duration.ofSeconds(60));
    return rx;
  }

  private void pump() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(PREFIX)) {
          replies.add(line.substring(PREFIX.length()));
        } else {
          System.err.println("[receiver] " + line);
        }
      }
    } catch (IOException e) {
      System.err.println("[receiver] stdout: " + e);
    } finally {
      replies.add(EOF);
    }
  }

  /** Sends one command line; the words are joined with spaces. */
  void command(Object... words) {
    String line = Arrays.stream(words).map(String::valueOf).collect(Collectors.joining(" "));
    try {
      stdin.write(line);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new BenchFailure("the receiver JVM does not take commands (it ended?): " + line, e);
    }
  }

  /**
   * Waits for the reply {@code word} and returns what follows it on the line.
   *
   * @throws BenchFailure on an error reply, another reply, the child's end, or the timeout
   */
  String await(String word, Duration timeout) {
    String line;
    try {
      line = replies.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while waiting for '" + word + "' from the receiver", e);
    }
    if (line == null) {
      throw new BenchFailure("the receiver did not say '" + word + "' within " + timeout);
    }
    if (line.equals(EOF)) {
      throw new BenchFailure("the receiver JVM ended while we waited for '" + word + "'");
    }
    if (line.startsWith("error ")) {
      throw new BenchFailure("the receiver failed: " + line.substring(6));
    }
    if (line.equals(word)) {
      return "";
    }
    if (!line.startsWith(word + " ")) {
      throw new BenchFailure("expected '" + word + "' from the receiver, got: " + line);
    }
    return line.substring(word.length() + 1);
  }

  /**
   * Checks that System.nanoTime is one clock in both JVMs (on Linux it is CLOCK_MONOTONIC,
   * system-wide), which the stream's end-to-end time and the cold start rely on.
   */
  void checkClock() {
    for (int i = 0; i < 3; i++) {
      long before = System.nanoTime();
      command("clock");
      long theirs = Long.parseLong(await("clock", SETUP));
      long after = System.nanoTime();
      if (theirs < before || theirs > after) {
        throw new BenchFailure("System.nanoTime differs between the JVMs (" + before + " <= "
            + theirs + " <= " + after + " fails): cross-process times would be wrong here");
      }
    }
  }

  @Override
  public void close() {
    try {
      command("quit");
    } catch (BenchFailure ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ in the receiver JVM

  /** Writes one reply line. */
  static void reply(String line) {
    synchronized (System.out) {
      System.out.print(PREFIX + line + "\n");
      System.out.flush();
    }
  }

  /** The receiver's command loop, until "quit" or the end of stdin. */
  static void serve() throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    reply("ready");
    for (String line; (line = in.readLine()) != null; ) {
      String[] a = line.trim().split(" ");
      try {
        switch (a[0]) {
          case "clock" -> reply("clock " + System.nanoTime());
          case "stream-ours" -> Stream.receiveOurs(a);
          case "stream-raw" -> Stream.receiveRaw(a);
          case "rtt-ours" -> RoundTrip.serveOurs(a);
          case "rtt-raw" -> RoundTrip.serveRaw(a);
          case "rtt-rawpair" -> RoundTrip.serveRawPair(a);
          case "stream-pekko" -> PekkoRemote.receiveStream(a);
          case "rtt-pekko" -> PekkoRemote.serveRoundTrip(a);
          case "quit" -> {
            return;
          }
          default -> throw new IllegalArgumentException("unknown command: " + line);
        }
      } catch (RuntimeException | Error e) {
        e.printStackTrace();
        reply("error " + String.valueOf(e).replace('\n', ' '));
      }
    }
  }
}
