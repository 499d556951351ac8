package dev.mailboxthreads.remote.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A second JVM running a {@code main} class of the test sources, with the test JVM's classpath,
 * for tests that need two real processes. The child talks back through its stdout, one line per
 * fact ({@code READY tcp://127.0.0.1:40123}, {@code nom nom nom:carrot}); the test waits for
 * lines with {@link #awaitLines}, never with a sleep. Every wait is bounded, and on failure the
 * {@link AssertionError} shows the child's exit status and the tail of its stdout and stderr.
 *
 * <p>The child's stdin stays open as a lifeline: children use {@link ParentLink} to end when it
 * closes, so a child never outlives a test JVM that died, and a test can ask a consumer to finish
 * with {@link #closeStdin()}. {@link #close()} always kills what is still running ({@code
 * destroyForcibly}, SIGKILL on Linux) and waits for it, so use it in try-with-resources.
 *
 * <p>{@link #startProcess} runs any other program the same way (the interop tests' Python peers).
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread; the line cursor of {@link
 * #awaitLines} is shared, so one test thread should do the waiting.
 */
public final class ChildJvm implements AutoCloseable {
  /*
   * Implementation notes. Two platform daemon threads read the child's stdout and stderr line by
   * line into `out` and `err` (both must be drained, or a chatty child blocks on a full pipe) and
   * signal `changed`. `cursor` is the index of the first stdout line not yet consumed by
   * awaitLines; lines before a match are skipped, lines after it stay for the next wait.
   */
  private static final Duration REAP_TIMEOUT = Duration.ofSeconds(10);
  private static final int TAIL_LINES = 40;
  /** Flags of the test JVM that a child needs to behave the same (module access, Unsafe). */
  private static final List<String> INHERITED_FLAG_PREFIXES = List.of(
      "--add-opens", "--add-exports", "--add-reads", "--add-modules", "--enable-native-access",
      "--sun-misc-unsafe-memory-access", "-Djdk.module.");

  private final String name;
  private final Process process;
  private final long startNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Stdout lines so far; guarded by lock. */
  private final List<String> out = new ArrayList<>();
  /** Stderr lines so far; guarded by lock. */
  private final List<String> err = new ArrayList<>();
  /** Stdout has reached its end; guarded by lock. */
  private boolean outEnded;
  /** First stdout line not consumed by awaitLines; guarded by lock. */
  private int cursor;
  private Thread outReader;
  private Thread errReader;

  private ChildJvm(String name, Process process, long startNanos) {
    this.name = name;
    this.process = process;
    this.startNanos = startNanos;
  }

  /**
   * Starts {@code java -cp <test classpath> main args...}.
   *
   * @param name for thread names and failure messages, e.g. "consumer"
   * @param main a class with {@code public static void main(String[])}
   * @param args its arguments
   * @return the running child; close it
   */
  public static ChildJvm start(String name, Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(inheritedFlags());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    return startProcess(name, command);
  }

  /**
   * Starts any program, such as a Python peer, with the same line protocol and lifeline: the
   * program should print one line per fact and end when its stdin closes.
   *
   * @param name for thread names and failure messages, e.g. "python-pull"
   * @param command the program and its arguments
   * @return the running child; close it
   */
  public static ChildJvm startProcess(String name, List<String> command) {
    long startNanos = System.nanoTime();
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    ChildJvm child = new ChildJvm(name, process, startNanos);
    child.outReader = child.reader("out", process.getInputStream(), true);
    child.errReader = child.reader("err", process.getErrorStream(), false);
    return child;
  }

  private static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static List<String> inheritedFlags() {
    List<String> given = ManagementFactory.getRuntimeMXBean().getInputArguments();
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < given.size(); i++) {
      String arg = given.get(i);
      if (INHERITED_FLAG_PREFIXES.stream().anyMatch(arg::startsWith)) {
        flags.add(arg);
        // "--add-opens X" in two words: take the value too
        if (arg.startsWith("--") && !arg.contains("=") && i + 1 < given.size()) {
          flags.add(given.get(++i));
        }
      }
    }
    return flags;
  }

  private Thread reader(String stream, InputStream in, boolean isOut) {
    return Thread.ofPlatform().daemon().name("child-" + name + "-" + stream).start(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lock.lock();
          try {
            (isOut ? out : err).add(line);
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        }
      } catch (IOException e) {
        // the stream was closed under us: the child is gone
      } finally {
        if (isOut) {
          lock.lock();
          try {
            outEnded = true;
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        }
      }
    });
  }

  /**
   * Waits until {@code count} stdout lines after the cursor match {@code filter}, then moves the
   * cursor past the last of them. Lines in between that do not match are skipped.
   *
   * @return the matching lines, in the order printed
   * @throws AssertionError if they do not come within {@code timeout}, or stdout ends first
   */
  public List<String> awaitLines(Predicate<String> filter, int count, Duration timeout)
      throws InterruptedException {
    List<String> found = findLines(filter, count, timeout);
    if (found.size() < count) {
      throw failure("waited " + timeout + " for " + count + " line(s) matching the filter, got "
          + found.size() + ": " + found);
    }
    return found;
  }

  /**
   * Waits for one stdout line after the cursor that matches {@code filter}.
   *
   * @return the line
   * @throws AssertionError if it does not come within {@code timeout}, or stdout ends first
   */
  public String awaitLine(Predicate<String> filter, Duration timeout) throws InterruptedException {
    return awaitLines(filter, 1, timeout).get(0);
  }

  /**
   * Like {@link #awaitLine}, but a timeout is an answer, not a failure.
   *
   * @return the line, or empty if none came within {@code timeout}
   * @throws AssertionError if stdout ends before a matching line
   */
  public Optional<String> pollLine(Predicate<String> filter, Duration timeout)
      throws InterruptedException {
    List<String> found = findLines(filter, 1, timeout);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  private List<String> findLines(Predicate<String> filter, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      for (;;) {
        List<String> found = new ArrayList<>();
        int last = -1;
        for (int i = cursor; i < out.size() && found.size() < count; i++) {
          if (filter.test(out.get(i))) {
            found.add(out.get(i));
            last = i;
          }
        }
        if (found.size() == count) {
          cursor = last + 1;
          return found;
        }
        if (outEnded) {
          throw failure("stdout ended after " + found.size() + " of " + count
              + " line(s) matching the filter: " + found);
        }
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          return found;
        }
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Every stdout line so far, consumed or not.
   *
   * @return a copy
   */
  public List<String> lines() {
    lock.lock();
    try {
      return List.copyOf(out);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Every stderr line so far (the library logs there through {@code System.Logger}).
   *
   * @return a copy
   */
  public List<String> errLines() {
    lock.lock();
    try {
      return List.copyOf(err);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the child to exit, and for its stdout to be read to the end.
   *
   * @return its exit code
   * @throws AssertionError if it is still running after {@code timeout}
   */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw failure("still running after " + timeout);
    }
    outReader.join(REAP_TIMEOUT);
    errReader.join(REAP_TIMEOUT);
    return process.exitValue();
  }

  /** Closes the child's stdin: children take that as "finish and exit" ({@link ParentLink}). */
  public void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the stdin of " + name, e);
    }
  }

  /**
   * Kills the child at once (SIGKILL: no shutdown hooks, nothing closed) and waits until it is
   * gone.
   *
   * @return its exit code (137 on Linux)
   */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    return awaitExit(REAP_TIMEOUT);
  }

  /**
   * Whether the child still runs.
   *
   * @return true until it has exited
   */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The child's process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Milliseconds since {@link #start} was called.
   *
   * @return the child's age
   */
  long ageMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Kills the child if it still runs and waits for it (bounded); idempotent. */
  @Override
  public void close() {
    boolean interrupted = Thread.interrupted(); // reap even when the test was interrupted
    try {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      long deadline = System.nanoTime() + REAP_TIMEOUT.toNanos();
      while (process.isAlive() && System.nanoTime() - deadline < 0) {
        try {
          process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      for (Thread t : new Thread[] {outReader, errReader}) {
        try {
          t.join(REAP_TIMEOUT);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      closeQuietly(process.getOutputStream());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // the child is gone; nothing to flush
    }
  }

  private AssertionError failure(String what) {
    return new AssertionError("child '" + name + "' (pid " + process.pid() + "): " + what
        + "\n" + describe());
  }

  /**
   * The child's state and the tail of its output, for failure messages.
   *
   * @return a multi-line description
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("  state: ").append(process.isAlive() ? "running" : "exited " + process.exitValue())
        .append(", age ").append(ageMillis()).append(" ms\n");
    lock.lock();
    try {
      tail(b, "stdout", out);
      tail(b, "stderr", err);
    } finally {
      lock.unlock();
    }
    return b.toString();
  }

  private static void tail(StringBuilder b, String label, List<String> lines) {
    int from = Math.max(0, lines.size() - TAIL_LINES);
    b.append("  ").append(label).append(" (").append(lines.size()).append(" lines")
        .append(from > 0 ? ", last " + TAIL_LINES : "").append("):\n");
    for (String line : lines.subList(from, lines.size())) {
      b.append("    | ").append(line).append('\n');
    }
  }

  @Override
  public String toString() {
    return "ChildJvm[" + name + ", pid " + process.pid() + "]";
  }
}
