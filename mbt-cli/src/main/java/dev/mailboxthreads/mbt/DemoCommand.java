package dev.mailboxthreads.mbt;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mbt demo}: the seed's example, end to end, with two real processes. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "The seed's example end to end: a consumer process, a producer process, carrot and egg.",
        "",
        "Starts two processes on this machine, as the seed's example has them. The consumer,"
            + " 'mbt consume --count 2 TCP IPC', publishes a thread on both endpoints. The"
            + " producer connects to TCP and to IPC separately, sends 'carrot' through the"
            + " first and 'egg' through the second. The consumer prints 'nom nom nom:carrot'"
            + " and 'nom nom nom:egg', and both exit 0. Their output is shown prefixed with"
            + " [consumer] and [producer].",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:both processes exited 0",
        "2:usage: bad option or malformed endpoint",
        "4:the consumer could not publish (e.g. --tcp address in use)",
        "5:a process did not finish within --timeout",
        "n:otherwise, the exit code of the process that failed"})
final class DemoCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--tcp", paramLabel = "ENDPOINT", defaultValue = "tcp://127.0.0.1:*",
      description = "the consumer's tcp endpoint (default: ${DEFAULT-VALUE}, a free port)")
  private String tcp;

  @Option(names = "--ipc", paramLabel = "ENDPOINT",
      description = "the consumer's ipc endpoint (default: a socket named nomnom in a new"
          + " temporary directory, removed at the end)")
  private String ipc;

  @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "60s",
      description = "how long the whole demo may take (default: ${DEFAULT-VALUE})")
  private Duration timeout;

  @Override
  public Integer call() throws InterruptedException {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Endpoint.parse(tcp, true).isTcp()) {
      throw Failure.usage("--tcp needs a tcp:// endpoint, not '" + tcp + "'");
    }
    if (ipc == null) {
      ipc = "ipc://" + newTemporaryDirectory().resolve("nomnom");
    }
    if (Endpoint.parse(ipc, true).isTcp()) {
      throw Failure.usage("--ipc needs an ipc:// endpoint, not '" + ipc + "'");
    }
    Session session = Session.current();

    out.println("demo: consumer process: mbt consume --count 2 " + tcp + " " + ipc);
    ChildProcess consumer = session.closeAtExit(ChildProcess.start("consumer", out, err,
        "consume", "--count", "2", "--die-with-parent", tcp, ipc));
    List<String> bound = consumer.awaitLines(true, l -> l.startsWith("bound "), 2, deadlineNanos);
    List<String> waiting = consumer.awaitLines(
        false, "waiting for things to consume"::equals, 1, deadlineNanos);
    if (bound.size() < 2 || waiting.isEmpty()) {
      return failed(consumer, deadlineNanos, "the consumer did not start");
    }
    String tcpBound = bound.get(0).substring("bound ".length());
    String ipcBound = bound.get(1).substring("bound ".length());

    out.println("demo: producer process: sends carrot to " + tcpBound + " and egg to "
        + ipcBound);
    ChildProcess producer = session.closeAtExit(ChildProcess.start("producer", out, err,
        "demo-producer", "--die-with-parent", tcpBound, ipcBound));
    int producerExit = producer.awaitExit(deadlineNanos);
    if (producerExit != 0) {
      return failed(producer, deadlineNanos, "the producer failed");
    }
    int consumerExit = consumer.awaitExit(deadlineNanos);
    if (consumerExit != 0) {
      return failed(consumer, deadlineNanos, "the consumer did not get both messages");
    }
    out.println("demo: both processes exited 0");
    return Exit.OK;
  }

  /** Reports a child that failed or hung; returns the demo's exit code. */
  private int failed(ChildProcess child, long deadlineNanos, String what)
      throws InterruptedException {
    int code = child.exitCodeNow();
    if (Session.current().isStopping() || code == Exit.INTERRUPTED) {
      return Exit.INTERRUPTED; // Ctrl-C stopped the children (in a terminal, all of us at once)
    }
    if (code < 0 && System.nanoTime() - deadlineNanos < 0) {
      code = child.awaitExit(deadlineNanos);
    }
    if (code < 0) {
      throw Failure.unreachable(what + " within --timeout " + Durations.format(timeout)
          + "; run again, or raise --timeout");
    }
    spec.commandLine().getErr().println("mbt demo: " + what + ": " + child + " exited " + code);
    return code == 0 ? Exit.FAILED : code;
  }

  private static Path newTemporaryDirectory() {
    try {
      Path dir = Files.createTempDirectory("mbt-demo-");
      Session.current().deleteAtExit(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the ipc socket", e);
    }
  }
}
