package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The producer process of {@code mbt demo}, exactly the seed's producer: one connection to the
 * tcp endpoint and another to the ipc endpoint of the same consumer, {@code carrot} through the
 * first, {@code egg} through the second.
 *
 * <pre>
 * (define consumer (connect-remote-thread "tcp://127.0.0.1:12345"))
 * (define another-consumer (connect-remote-thread "ipc:///tmp/nomnom"))
 * (thread-send consumer 'carrot)
 * (thread-send another-consumer 'egg)
 * </pre>
 */
@Command(name = "demo-producer", hidden = true, mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = "The producer process of 'mbt demo': sends carrot through the first endpoint"
        + " and egg through the second.")
final class DemoProducerCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TCP_ENDPOINT")
  private String tcp;

  @Parameters(index = "1", paramLabel = "IPC_ENDPOINT")
  private String ipc;

  @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "20s")
  private Duration timeout;

  @Option(names = "--die-with-parent", hidden = true)
  private boolean dieWithParent;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (dieWithParent) {
      Parent.exitWhenGone(spec.commandLine().getErr());
    }
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    List<Endpoint> endpoints = Remote.parse(List.of(tcp, ipc), false);
    for (Endpoint e : endpoints) {
      ProduceCommand.awaitListening(
          List.of(e), deadlineNanos, timeout, "mbt consume", spec.commandLine().getErr());
    }
    ConnectOptions options = ConnectOptions.defaults().withLinger(timeout);
    RemoteThread consumer = Remote.connect(options, endpoints.subList(0, 1));
    RemoteThread anotherConsumer = Remote.connect(options, endpoints.subList(1, 2));
    send(consumer, "carrot");
    out.println("sent carrot to " + tcp);
    send(anotherConsumer, "egg");
    out.println("sent egg to " + ipc);
    consumer.close();
    anotherConsumer.close();
    Session.current().close(); // ZeroMQ delivers what it holds, for up to the linger
    return Exit.OK;
  }
}
