package dev.mailboxthreads.benchmarks.remote;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/** This JVM and the JVMs it starts: command lines, CPU time, fresh threads, the host. */
final class Jvm {
  /** Fory, when it is the codec, reaches into java.lang.invoke; without this it warns. */
  static final String ADD_OPENS = "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED";

  private Jvm() {}

  /**
   * The command that starts another JVM like this one: the same java binary, the same class
   * path, this JVM's own options except profilers and debuggers (a child must not write to the
   * parent's JFR file), then {@code extraJvmArgs}, then RemoteBench with {@code mainArgs}.
   */
  static List<String> command(List<String> extraJvmArgs, String... mainArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (inherited(a)) {
        cmd.add(a);
      }
    }
    if (!cmd.contains(ADD_OPENS)) {
      cmd.add(ADD_OPENS);
    }
    cmd.addAll(extraJvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RemoteBench.class.getName());
    cmd.addAll(List.of(mainArgs));
    return cmd;
  }

  private static boolean inherited(String jvmArg) {
    return !(jvmArg.startsWith("-XX:StartFlightRecording")
        || jvmArg.startsWith("-XX:FlightRecorderOptions")
        || jvmArg.startsWith("-agentlib:")
        || jvmArg.startsWith("-agentpath:")
        || jvmArg.startsWith("-javaagent:")
        || jvmArg.startsWith("-Xrunjdwp")
        || jvmArg.startsWith("-Xlog"));
  }

  /** CPU time of this whole process (all threads, user and system), in nanoseconds. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * Runs {@code body} on a new platform thread and waits for it: a thread with an empty
   * mailbox, so nothing left from an earlier test can be counted.
   */
  static <T> T onFreshThread(String name, Callable<T> body) {
    FutureTask<T> task = new FutureTask<>(body);
    Thread.ofPlatform().name(name).start(task);
    boolean interrupted = false;
    try {
      for (;;) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error err) {
            throw err;
          }
          throw new BenchFailure(name + " failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The 1-, 5- and 15-minute load averages of the host, or "unknown". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** What the figures were measured on, for the report. */
  record Host(int processors, String cpuModel, String jdk, String os) {
    static Host describe() {
      String model = "unknown CPU";
      try {
        model = Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst()
            .orElse(model);
      } catch (IOException | RuntimeException e) {
        // not Linux: keep "unknown"
      }
      String jdk = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name")
          + " " + Runtime.version();
      String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
          + System.getProperty("os.arch");
      return new Host(Runtime.getRuntime().availableProcessors(), model, jdk, os);
    }
  }
}
