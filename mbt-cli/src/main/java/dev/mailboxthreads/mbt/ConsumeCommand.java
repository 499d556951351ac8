package dev.mailboxthreads.mbt;

import static dev.mailboxthreads.MailboxThreads.receive;

import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mbt consume}: the seed's consumer, with a message count and an echo for ping. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    description = {
        "Publishes a thread on the endpoints and prints each message it receives.",
        "",
        "Publishes this process's main thread on the endpoints, prints 'waiting for things to"
            + " consume', then one line 'nom nom nom:MESSAGE' per message, until Ctrl-C or"
            + " --count messages.",
        "",
        "Each endpoint bound is printed on standard error as 'bound ENDPOINT', with the port"
            + " chosen for a tcp port '*'. A string prints as it is; a map, list, number or"
            + " boolean as JSON; anything else with toString().",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "  0:--count messages received",
        "  2:usage: bad option or malformed endpoint",
        "  4:cannot publish: address in use, no such interface, bad ipc path",
        "130:stopped with Ctrl-C"},
    footer = {"", "Example: mbt consume tcp://127.0.0.1:5555 ipc:///tmp/nomnom"})
final class ConsumeCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "ENDPOINT",
      description = "tcp://HOST:PORT (PORT '*' picks a free port) or ipc:///path (a socket file"
          + " is created there)")
  private List<String> endpoints;

  @Option(names = {"-n", "--count"}, paramLabel = "N",
      description = "exit 0 after N messages (default: run until Ctrl-C)")
  private long count;

  @Option(names = "--echo",
      description = "answer 'mbt ping': send each ping back to the endpoint it carries (the"
          + " connection is kept for later pings). Pings are neither printed nor counted."
          + " Only on trusted networks: a ping makes this process connect where the sender"
          + " says.")
  private boolean echo;

  @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "java",
      description = "java (default: Java peers, what 'mbt produce' sends) or msgpack (the"
          + " interop codec: peers in any language, docs/wire-format.md)")
  private CodecChoice codec;

  @Option(names = "--die-with-parent", hidden = true,
      description = "exit when the parent process ends (used by 'mbt demo')")
  private boolean dieWithParent;

  @Override
  public Integer call() {
    if (count < 0) {
      throw Failure.usage("--count must be 0 (no limit) or more, not " + count);
    }
    if (echo && codec != CodecChoice.java) {
      throw Failure.usage("--echo answers mbt ping, which speaks the java codec: leave out"
          + " --codec " + codec + " or --echo");
    }
    List<Endpoint> parsed = Remote.parse(endpoints, true);
    if (dieWithParent) {
      Parent.exitWhenGone(spec.commandLine().getErr());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Publication publication = Remote.publish(
        Thread.currentThread(),
        PublishOptions.defaults().withCodec(
            codec == CodecChoice.msgpack ? MsgpackCodec.defaults() : Codecs.PING),
        parsed);
    for (String bound : publication.endpoints()) {
      err.println("bound " + bound);
    }
    out.println("waiting for things to consume");
    try (Echo answers = new Echo(err)) {
      boolean toldAboutPings = false;
      for (long n = 0; count == 0 || n < count; ) {
        Object message = receive();
        if (message instanceof Ping ping) {
          if (echo) {
            answers.answer(ping);
          } else if (!toldAboutPings) {
            toldAboutPings = true;
            err.println("mbt consume: ignoring pings from " + ping.replyTo()
                + ": start 'mbt consume --echo' to answer them");
          }
          continue;
        }
        out.println("nom nom nom:" + Json.display(message));
        if (out.checkError()) {
          break; // stdout is closed (mbt consume ... | head -3): nobody reads us any more
        }
        n++;
      }
    }
    publication.close();
    return Exit.OK;
  }
}
