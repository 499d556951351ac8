package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mbt produce}: the seed's producer, for any endpoints and messages. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    versionProvider = Mbt.Version.class,
    customSynopsis = "mbt produce [--json] [-t=DURATION] ENDPOINT... -- MESSAGE...",
    description = {
        "Sends each MESSAGE to the thread published on the endpoints.",
        "",
        "Connects to a thread published on the endpoints (round-robin when several) and sends"
            + " each MESSAGE, a string; with --json, the JSON value it holds. Prints 'sent N"
            + " messages to ENDPOINTS' and exits 0.",
        "",
        "Delivery check: first, each endpoint must accept a connection within --timeout (some"
            + " process listens there); endpoints that do not are skipped with a warning, and"
            + " if none does, nothing is sent and mbt exits 5. Then the messages are handed to"
            + " ZeroMQ, which delivers them before the process exits, for what is left of"
            + " --timeout. Delivery is at most once: a consumer that dies at that moment loses"
            + " them. For an end-to-end answer, use 'mbt ping' against 'mbt consume --echo'.",
        "",
        "JSON (--json): objects become LinkedHashMaps, arrays ArrayLists, integers Longs, other"
            + " numbers Doubles, true/false Booleans; null is refused, and so is a repeated key.",
        ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:sent",
        "2:usage: no '--', malformed endpoint, bad JSON",
        "5:nobody listens at any endpoint, or the messages could not be handed over in time"},
    footer = {"", "Examples:",
        "  mbt produce tcp://127.0.0.1:5555 -- carrot egg",
        "  mbt produce --json ipc:///tmp/nomnom -- '{\"kind\":\"carrot\",\"g\":120}' '[1,2]'"})
final class ProduceCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "ENDPOINT... -- MESSAGE",
      description = "endpoints to send to (tcp://HOST:PORT, ipc:///path), then '--', then the"
          + " messages")
  private List<String> words = new ArrayList<>();

  @Option(names = "--json",
      description = "send each MESSAGE as the JSON value it holds, not as a string")
  private boolean json;

  @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "java",
      description = "java (default: what 'mbt consume' decodes) or msgpack (the interop codec,"
          + " for a consumer in any language or 'mbt consume --codec msgpack')")
  private CodecChoice codec;

  @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", defaultValue = "10s",
      description = "how long to wait for a consumer to be listening, and then for the"
          + " messages to be handed over (default: ${DEFAULT-VALUE}; e.g. 500ms, 2s, 1m)")
  private Duration timeout;

  @Override
  public Integer call() {
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dashes = original.indexOf("--");
    if (dashes < 0) {
      throw Failure.usage("put the messages after '--': mbt produce ENDPOINT... -- MESSAGE...");
    }
    int messageCount = original.size() - dashes - 1; // everything after "--" is positional
    List<String> endpointTexts = words.subList(0, words.size() - messageCount);
    List<String> messageTexts = words.subList(words.size() - messageCount, words.size());
    if (endpointTexts.isEmpty()) {
      throw Failure.usage("no endpoint before '--': mbt produce ENDPOINT... -- MESSAGE...");
    }
    if (messageTexts.isEmpty()) {
      throw Failure.usage("no message after '--': mbt produce ENDPOINT... -- MESSAGE...");
    }
    List<Endpoint> targets = Remote.parse(endpointTexts, false);
    List<Object> messages = new ArrayList<>();
    for (String text : messageTexts) {
      messages.add(json ? Json.parse(text) : text);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    List<Endpoint> live = awaitListening(targets, deadlineNanos, timeout, "mbt consume", err);
    Duration left = Duration.ofNanos(Math.max(deadlineNanos - System.nanoTime(), 500_000_000L));
    // The linger outlasts one reconnect of a fresh tcp connection whose handshake JeroMQ lost
    // (SenderLoop's 2 s handshake interval, docs/remote.md): ZeroMQ drops what it still holds
    // when the linger ends, and cannot say how much that was.
    Duration linger = left.compareTo(MIN_LINGER) < 0 ? MIN_LINGER : left;
    ConnectOptions options = ConnectOptions.defaults().withSendTimeout(left).withLinger(linger);
    if (codec == CodecChoice.msgpack) {
      options = options.withCodec(MsgpackCodec.defaults());
    }
    RemoteThread consumer = Remote.connect(options, live);
    try {
      for (Object message : messages) {
        consumer.send(message);
      }
    } catch (SendTimeoutException e) {
      throw Failure.unreachable("the messages could not be handed over "
          + Reachability.within(timeout) + ": " + live + " stopped reading; try again, or"
          + " raise --timeout");
    } catch (UnencodableMessageException e) {
      throw Failure.usage(e.getMessage());
    }
    consumer.close();
    Session.current().close(); // ZeroMQ delivers what it holds, for up to the linger
    if (consumer.stats().discarded() > 0) {
      throw Failure.unreachable(consumer.stats().discarded() + " of " + messages.size()
          + " messages were not handed over " + Reachability.within(timeout) + ": " + live
          + " stopped reading");
    }
    out.println("sent " + messages.size() + (messages.size() == 1 ? " message" : " messages")
        + " to " + live.stream().map(Endpoint::text).collect(Collectors.joining(" ")));
    return Exit.OK;
  }

  /** The shortest linger produce closes with; see call(). */
  static final Duration MIN_LINGER = Duration.ofSeconds(3);

  /**
   * The endpoints where some process listens by the deadline; a warning for each of the others,
   * and a failure if none.
   */
  static List<Endpoint> awaitListening(List<Endpoint> targets, long deadlineNanos,
      Duration timeout, String start, PrintWriter err) {
    Map<Endpoint, String> missing = Reachability.await(targets, deadlineNanos);
    if (missing.size() == targets.size()) {
      Map.Entry<Endpoint, String> first = missing.entrySet().iterator().next();
      throw Failure.unreachable("nobody is listening at " + first.getKey() + " ("
          + first.getValue() + ") " + Reachability.within(timeout)
          + (missing.size() > 1 ? ", nor at the other endpoints" : "")
          + ": start '" + start + " " + first.getKey() + "' there, or check the endpoint");
    }
    missing.forEach((endpoint, why) -> err.println("mbt: warning: skipping " + endpoint
        + ": nobody is listening there (" + why + ") " + Reachability.within(timeout)));
    return targets.stream().filter(t -> !missing.containsKey(t)).toList();
  }
}
