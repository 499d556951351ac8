package dev.mailboxthreads.mbt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * {@code mbt ARGS} as a real process, started as the {@code ./mbt} launcher starts it (same JVM
 * flags, UTF-8 locale) but on the test class path, so the tests need no packaged jar. Its stdout
 * and stderr are read line by line; tests wait for lines with bounded waits, never with a sleep.
 * {@link #close()} kills what still runs, so use it in try-with-resources. Failures show the
 * process's exit status and output.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
final class MbtProcess implements AutoCloseable {
  /** The flags of the launcher for short commands (see ./mbt). */
  static final List<String> JVM_FLAGS = List.of(
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED", "-Xshare:auto",
      "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

  private final List<String> args;
  private final Process process;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Guarded by lock. */
  private final List<String> out = new ArrayList<>();
  /** Guarded by lock. */
  private final List<String> err = new ArrayList<>();
  /** Streams read to their end; guarded by lock. */
  private int ended;
  private final List<Thread> readers = new ArrayList<>();

  private MbtProcess(List<String> args, Process process) {
    this.args = args;
    this.process = process;
  }

  static MbtProcess start(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Mbt.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("LC_ALL", "C.UTF-8");
    builder.environment().remove("MBT_DEBUG");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    MbtProcess p = new MbtProcess(List.of(args), process);
    p.read("out", process.getInputStream(), p.out);
    p.read("err", process.getErrorStream(), p.err);
    return p;
  }

  /** Runs {@code mbt ARGS} to its end (bounded) and returns what it did. */
  static Result run(Duration timeout, String... args) throws InterruptedException {
    try (MbtProcess p = start(args)) {
      int code = p.awaitExit(timeout);
      return new Result(code, p.stdout(), p.stderr());
    }
  }

  /** What a finished process did. */
  record Result(int exitCode, List<String> stdout, List<String> stderr) {}

  private void read(String name, InputStream in, List<String> lines) {
    Thread t = Thread.ofPlatform().daemon().name("mbt-test-" + name).start(() -> {
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          lock.lock();
          try {
            lines.add(line);
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        }
      } catch (IOException e) {
        // killed
      } finally {
        lock.lock();
        try {
          ended++;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    });
    readers.add(t);
  }

  /** Waits for a stdout line that matches; fails if the process ends or time runs out first. */
  String awaitStdout(Predicate<String> match, Duration timeout) throws InterruptedException {
    return await(false, match, timeout);
  }

  /** Waits for a stderr line that matches; fails if the process ends or time runs out first. */
  String awaitStderr(Predicate<String> match, Duration timeout) throws InterruptedException {
    return await(true, match, timeout);
  }

  private String await(boolean stderr, Predicate<String> match, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      for (;;) {
        for (String line : stderr ? err : out) {
          if (match.test(line)) {
            return line;
          }
        }
        if (ended == 2) {
          throw failure("ended without the " + (stderr ? "stderr" : "stdout") + " line awaited");
        }
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          throw failure("no such " + (stderr ? "stderr" : "stdout") + " line within " + timeout);
        }
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the process to exit and its output to be read; returns the exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw failure("still running after " + timeout);
    }
    for (Thread t : readers) {
      t.join(Duration.ofSeconds(10));
    }
    return process.exitValue();
  }

  /** The endpoints a consumer bound ("bound ENDPOINT" on stderr), once it has printed n. */
  List<String> awaitBound(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      for (;;) {
        List<String> bound = err.stream().filter(l -> l.startsWith("bound "))
            .map(l -> l.substring("bound ".length())).toList();
        if (bound.size() >= n) {
          return bound.subList(0, n);
        }
        if (ended == 2) {
          throw failure("ended after binding " + bound);
        }
        long nanos = deadline - System.nanoTime();
        if (nanos <= 0) {
          throw failure("bound only " + bound + " within " + timeout);
        }
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  List<String> stdout() {
    lock.lock();
    try {
      return List.copyOf(out);
    } finally {
      lock.unlock();
    }
  }

  List<String> stderr() {
    lock.lock();
    try {
      return List.copyOf(err);
    } finally {
      lock.unlock();
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process if it still runs (SIGKILL) and waits until it is gone (bounded). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      for (Thread t : readers) {
        t.join(Duration.ofSeconds(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  AssertionError failure(String what) {
    return new AssertionError("mbt " + String.join(" ", args) + " (pid " + process.pid() + "): "
        + what + "\n  state: " + (process.isAlive() ? "running" : "exited " + process.exitValue())
        + "\n  stdout: " + stdout() + "\n  stderr: " + stderr());
  }
}
