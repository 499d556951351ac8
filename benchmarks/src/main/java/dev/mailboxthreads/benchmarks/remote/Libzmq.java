package dev.mailboxthreads.benchmarks.remote;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The round trip through libzmq itself, the C library: {@code zmq_rtt.c} from this jar, built
 * once per JVM with {@code gcc -O2 ... -lzmq} (Debian: {@code gcc}, {@code libzmq3-dev}), run as
 * two processes, a REP server and a REQ client, with the same endpoint, counts and payload size
 * as raw JeroMQ's REQ/REP. The client times each round trip with {@code CLOCK_MONOTONIC} and
 * checks each reply. This is the baseline the p99.9 target names ("no worse than libzmq's").
 *
 * <p><b>Thread safety:</b> {@link #available} and {@link #roundTrip} from one thread.
 */
final class Libzmq {
  /** The built binary, or null before the first build; {@link #failure} if it failed. */
  private static Path binary;

  /** Why the build failed, or null. */
  private static String failure;

  private Libzmq() {}

  /**
   * Builds {@code zmq_rtt} if it has not been built yet.
   *
   * @return null if it is there, or why it is not (with what to install)
   */
  static String available() {
    if (binary == null && failure == null) {
      build();
    }
    return failure;
  }

  private static void build() {
    try {
      Path dir = Files.createTempDirectory("mbt-zmq-rtt");
      dir.toFile().deleteOnExit();
      Path source = dir.resolve("zmq_rtt.c");
      try (InputStream in = Libzmq.class.getResourceAsStream("zmq_rtt.c")) {
        if (in == null) {
          failure = "zmq_rtt.c is missing from the jar";
          return;
        }
        Files.copy(in, source);
      }
      source.toFile().deleteOnExit();
      Path out = dir.resolve("zmq_rtt");
      Process gcc;
      try {
        gcc = new ProcessBuilder("gcc", "-O2", "-o", out.toString(), source.toString(), "-lzmq")
            .redirectErrorStream(true).start();
      } catch (IOException e) {
        failure = "gcc cannot be started (" + e.getMessage() + "); install gcc and libzmq3-dev";
        return;
      }
      List<String> lines = lines(gcc.getInputStream());
      if (!gcc.waitFor(2, TimeUnit.MINUTES) || gcc.exitValue() != 0 || !Files.exists(out)) {
        gcc.destroyForcibly();
        failure = "gcc could not build zmq_rtt.c (install libzmq3-dev for zmq.h): "
            + String.join(" / ", lines);
        return;
      }
      out.toFile().deleteOnExit();
      binary = out;
    } catch (IOException e) {
      failure = "cannot build zmq_rtt: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted while building zmq_rtt";
    }
  }

  /**
   * One round: a fresh server and client process, {@code roundTripWarmup + roundTrips} round
   * trips, the measured ones returned.
   *
   * @throws BenchFailure if a process fails, a reply is wrong or the round takes longer than the
   *     options' timeout
   */
  static RoundTrip.Result roundTrip(Endpoints endpoints, Options o) {
    String why = available();
    if (why != null) {
      throw new BenchFailure("libzmq round trip: " + why);
    }
    int total = o.roundTripWarmup() + o.roundTrips();
    Process server = null;
    Process client = null;
    try {
      server = new ProcessBuilder(binary.toString(), "server", endpoints.bind("rtt-server"),
          Integer.toString(total)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader fromServer = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String bound = fromServer.readLine();
      if (bound == null || !bound.startsWith("bound ")) {
        throw new BenchFailure("libzmq server did not bind: " + bound);
      }
      client = new ProcessBuilder(binary.toString(), "client", bound.substring(6),
          Integer.toString(total), Integer.toString(o.roundTripWarmup()),
          Integer.toString(o.payloadBytes())).redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      List<String> out = lines(client.getInputStream());
      if (!client.waitFor(o.timeoutSeconds(), TimeUnit.SECONDS) || client.exitValue() != 0) {
        throw new BenchFailure("libzmq client failed (see its error above), exit "
            + (client.isAlive() ? "none: timed out" : client.exitValue()));
      }
      if (out.isEmpty() || !out.get(out.size() - 1).equals("done")
          || out.size() != o.roundTrips() + 1) {
        throw new BenchFailure("libzmq client printed " + out.size() + " lines, not "
            + (o.roundTrips() + 1) + " ending with done");
      }
      long[] nanos = new long[o.roundTrips()];
      for (int i = 0; i < nanos.length; i++) {
        nanos[i] = Long.parseLong(out.get(i));
      }
      String done = fromServer.readLine();
      if (!server.waitFor(o.timeoutSeconds(), TimeUnit.SECONDS) || server.exitValue() != 0
          || done == null || !done.equals("done " + total)) {
        throw new BenchFailure("libzmq server did not end cleanly: " + done);
      }
      return RoundTrip.Result.of(nanos);
    } catch (IOException e) {
      throw new BenchFailure("libzmq round trip: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("libzmq round trip interrupted");
    } finally {
      for (Process p : new Process[] {client, server}) {
        if (p != null && p.isAlive()) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static List<String> lines(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    return lines;
  }
}
