package dev.mailboxthreads.mbt;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Another {@code mbt} process, for {@code mbt demo}: the same java, JVM flags and class path as
 * this one. Its standard output and error are copied to ours line by line, each line prefixed
 * with {@code [NAME] }, and kept so the demo can wait for a line. {@link #close()} kills it if
 * it still runs.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
final class ChildProcess implements AutoCloseable {
  /*
   * Implementation notes. Two platform daemon threads read the child's stdout and stderr (both
   * must be drained, or a chatty child blocks on a full pipe), print each line and append it to
   * `out` or `err`, and signal `changed`; at the end of a stream they count it in `ended`.
   */
  private static final String ADD_OPENS = "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED";
  /** Flags not to copy: a second debugger or agent on the same port would fail. */
  private static final List<String> NOT_INHERITED = List.of(
      "-agentlib", "-agentpath", "-javaagent", "-Xrunjdwp", "-Xdebug");

  private final String name;
  private final Process process;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Guarded by lock. */
  private final List<String> out = new ArrayList<>();
  /** Guarded by lock. */
  private final List<String> err = new ArrayList<>();
  /** Streams read to their end; guarded by lock. */
  private int ended;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code mbt ARGS} as a child process.
   *
   * @param name the prefix of its lines, e.g. "consumer"
   * @param stdout where its standard output is copied
   * @param stderr where its standard error is copied
   * @param args its command line
   */
  static ChildProcess start(String name, PrintWriter stdout, PrintWriter stderr, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
    for (String flag : flags) {
      if (NOT_INHERITED.stream().noneMatch(flag::startsWith)) {
        command.add(flag);
      }
    }
    if (!flags.contains(ADD_OPENS)) {
      command.add(ADD_OPENS); // java -jar read it from the manifest; -cp does not
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Mbt.class.getName());
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    ChildProcess child = new ChildProcess(name, process);
    child.copy("out", process.getInputStream(), stdout, child.out);
    child.copy("err", process.getErrorStream(), stderr, child.err);
    return child;
  }

  private void copy(String stream, InputStream in, PrintWriter to, List<String> lines) {
    Charset charset = System.out.charset();
    Thread.ofPlatform().daemon().name("mbt-" + name + "-" + stream).start(() -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset))) {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          to.println("[" + name + "] " + line);
          lock.lock();
          try {
            lines.add(line);
            changed.signalAll();
          } finally {
            lock.unlock();
          }
        }
      } catch (IOException e) {
        // the child was killed: its pipe is gone
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
  }

  /**
   * Waits for {@code count} lines of standard output (or error) that match.
   *
   * @return the matching lines; fewer if the stream ended or the deadline passed first
   */
  List<String> awaitLines(boolean stderr, Predicate<String> match, int count, long deadlineNanos)
      throws InterruptedException {
    lock.lock();
    try {
      for (;;) {
        List<String> found = (stderr ? err : out).stream().filter(match).limit(count).toList();
        long nanos = deadlineNanos - System.nanoTime();
        if (found.size() == count || ended == 2 || nanos <= 0) {
          return found;
        }
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the child to exit and its output to be copied.
   *
   * @return its exit code, or -1 if it still runs at the deadline
   */
  int awaitExit(long deadlineNanos) throws InterruptedException {
    if (!process.waitFor(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
      return -1;
    }
    lock.lock();
    try {
      while (ended < 2) {
        long nanos = deadlineNanos - System.nanoTime();
        if (nanos <= 0) {
          break;
        }
        changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
    return process.exitValue();
  }

  /** The exit code if it has exited, else -1. */
  int exitCodeNow() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Kills the child if it still runs, and waits (a few seconds at most) until it is gone. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy(); // SIGTERM: its shutdown hook closes its sockets and socket files
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "mbt " + name + " (pid " + process.pid() + ")";
  }
}
