package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.addressOf;
import static dev.mailboxthreads.MailboxThreads.call;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static dev.mailboxthreads.remote.interop.InteropSupport.awaitReady;
import static dev.mailboxthreads.remote.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Addresses and calls between Java and a Python peer through the interop codec: a Python peer
 * answers a Java {@code call} (reading the call envelope, docs/wire-format.md), and addresses
 * travel both ways as MessagePack extension type 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InteropAddressTest {
  private static final ConnectOptions OPTIONS =
      ConnectOptions.defaults().withCodec(MsgpackCodec.defaults());
  private static final PublishOptions PUBLISH =
      PublishOptions.defaults().withCodec(MsgpackCodec.defaults());

  @BeforeEach
  void setUp() {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
  }

  @Test
  void pythonAnswersJavaCalls_eachReplyReachesItsCall() throws Exception {
    int calls = 3;
    try (ChildJvm python = peer("answer", "tcp://127.0.0.1:*", Integer.toString(calls));
        RemoteContext ctx = RemoteContext.create();
        Publication replies = ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*")) {
      RemoteThread server = ctx.connect(OPTIONS, awaitReady(python));
      send(Thread.currentThread(), "an unrelated message, which stays in the mailbox");

      for (int i = 0; i < calls; i++) {
        Object reply = call(server, List.of("ping", (long) i), WAIT);

        assertThat(reply).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) reply).get("answer")).isEqualTo(List.of("ping", (long) i));
        assertThat(((Map<?, ?>) reply).get("id")).isInstanceOf(Long.class);
      }
      assertThat(python.awaitExit(WAIT)).as("python exit; its lines: %s", python.lines())
          .isZero();
      assertThat(python.lines()).filteredOn(l -> l.startsWith("ANSWERED ")).hasSize(calls);
      assertThat(receive(WAIT)).isEqualTo("an unrelated message, which stays in the mailbox");
      // counted just after each hand-over: the last one may still be on its way
      Awaitility.await().atMost(WAIT).untilAsserted(() ->
          assertThat(replies.stats().delivered()).as("replies go to the calls").isEqualTo(calls));
    }
  }

  @Test
  void addressesTravelBothWays_pythonAnswersAJavaAddress_javaAnswersAPythonAddress()
      throws Exception {
    try (ChildJvm python = peer("forward", "tcp://127.0.0.1:*");
        RemoteContext ctx = RemoteContext.create();
        Publication mine = ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*")) {
      RemoteThread forwarder = ctx.connect(OPTIONS, awaitReady(python));
      Map<String, Object> request = new LinkedHashMap<>();
      request.put("to", addressOf(Thread.currentThread()));
      request.put("text", "carrot");

      send(forwarder, request); // our address goes out as extension type 1

      Object answer = receive(WAIT);
      assertThat(answer).isInstanceOf(Map.class);
      assertThat(((Map<?, ?>) answer).get("text")).isEqualTo("CARROT");
      Object from = ((Map<?, ?>) answer).get("from");
      assertThat(from).as("Python's extension type 1 decodes to an Address")
          .isInstanceOf(RemoteThread.class);
      send((Address) from, "thanks");
      python.awaitLine(l -> l.equals("GOT thanks"), WAIT);
      assertThat(python.awaitExit(WAIT)).isZero();
      assertThat(mine.address()).isNotEmpty();
    }
  }
}
