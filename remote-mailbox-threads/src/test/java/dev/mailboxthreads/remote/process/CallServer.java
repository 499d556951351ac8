package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.Request;
import dev.mailboxthreads.remote.CurveKeyPair;
import dev.mailboxthreads.remote.CurveServer;
import dev.mailboxthreads.remote.JavaCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request/reply server as a child JVM: publishes its main thread on the endpoint given as the
 * first argument and answers every {@link Request} with one call; the second argument is a
 * generation label, to tell a restarted server from the first. Prints {@code READY <endpoint>}
 * when it listens; closes and exits 0 when the test closes its stdin.
 *
 * <p>Requests: an {@code Integer n} is answered {@code 2n}; {@code "hold"} is kept unanswered
 * (prints {@code HELD}) until a {@code "release"}, which answers every held request with {@code
 * "released"} and then itself with {@code "ok"}; {@code "shared-count"} is answered with the
 * number of shared connections the context has open; {@code "generation"} with the label; any
 * other body with {@code "echo: " + body}. A {@link Hello} (a message carrying an address) is
 * answered by sending {@code "hello back: " + text} to the address it carries.
 *
 * <p>With a third and fourth argument, the publication uses CURVE: the third is the server's
 * secret certificate ({@link CurveKeyPair#load}), the fourth a directory of the public
 * certificates of the clients allowed. Replies and addresses then go with the server's key
 * pair, so the callers' publications must allow the server's public key.
 */
public final class CallServer {
  /** A message that carries the sender's address. */
  public record Hello(Address from, String text) {}

  /** The codec both sides use: the JDK's values plus {@link Hello}. */
  static final JavaCodec CODEC = JavaCodec.builder().allow(Hello.class).build();

  private CallServer() {}

  /**
   * Runs the server.
   *
   * @param args the endpoint to publish on, and the generation label
   */
  public static void main(String[] args) {
    Thread self = Thread.currentThread();
    Object stop = new Object(); // a local message: no remote sender can forge it
    ParentLink.onStdinEnd(() -> send(self, stop));
    List<Request> held = new ArrayList<>();
    try (RemoteContext context = RemoteContext.create()) {
      PublishOptions options = PublishOptions.defaults().withCodec(CODEC);
      if (args.length >= 4) {
        options = options.withCurve(CurveServer.allowingKeysIn(
            CurveKeyPair.load(Path.of(args[2])), Path.of(args[3])));
      }
      Publication publication = context.publish(self, options, args[0]);
      ParentLink.say("READY " + publication.endpoints().get(0));
      for (Object m = receive(); m != stop; m = receive()) {
        if (m instanceof Hello hello) {
          hello.from().send("hello back: " + hello.text());
        } else if (m instanceof Request r) {
          if (r.body() instanceof Integer n) {
            r.reply(2 * n);
            continue;
          }
          switch (String.valueOf(r.body())) {
            case "hold" -> {
              held.add(r);
              ParentLink.say("HELD");
            }
            case "release" -> {
              held.forEach(h -> h.reply("released"));
              held.clear();
              r.reply("ok");
            }
            case "shared-count" -> r.reply(context.sharedConnectionCount());
            case "generation" -> r.reply(args[1]);
            default -> r.reply("echo: " + r.body());
          }
        } else {
          ParentLink.say("UNEXPECTED " + m);
        }
      }
    }
    ParentLink.say("BYE");
  }
}
