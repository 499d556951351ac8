package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.call;
import static dev.mailboxthreads.MailboxThreads.lateReplyCount;
import static dev.mailboxthreads.MailboxThreads.mailboxSize;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.self;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.CallTimeoutException;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.CurveClient;
import dev.mailboxthreads.remote.CurveKeyPair;
import dev.mailboxthreads.remote.CurveServer;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.process.CallServer.Hello;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request/reply and addresses in messages between two JVMs: the test JVM calls a {@link
 * CallServer} child, which answers the reply address carried by each request (or the address
 * inside a message), over tcp on loopback.
 *
 * <p>The test JVM publishes its test thread once, so that replies have a way back; replies to
 * the calls of the 1,000 virtual threads all come through that one publication and are routed
 * to each waiting call by correlation id.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CallProcessTest {
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final Duration ANSWER = Duration.ofSeconds(30);
  private static final int CLIENTS = 1_000;

  private static final PublishOptions PUBLISH =
      PublishOptions.defaults().withCodec(CallServer.CODEC);
  private static final ConnectOptions CONNECT =
      ConnectOptions.defaults().withCodec(CallServer.CODEC);

  private static String awaitReady(ChildJvm server) throws InterruptedException {
    return server.awaitLine(l -> l.startsWith("READY "), STARTUP).substring("READY ".length());
  }

  @Test
  void call_acrossJvms_serverAnswersTheReplyAddress_andAnAddressInsideAMessage()
      throws Exception {
    try (ChildJvm server = ChildJvm.start("call-server", CallServer.class,
            "tcp://127.0.0.1:*", "1");
        RemoteContext ctx = RemoteContext.create()) {
      String endpoint = awaitReady(server);
      ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, endpoint);

      assertThat(call(remote, "hi", ANSWER)).isEqualTo("echo: hi");
      assertThat(call(remote, 21, ANSWER)).isEqualTo(42);

      send(remote, new Hello(self(), "there"));
      assertThat(receive(ANSWER)).isEqualTo("hello back: there");
      assertThat(mailboxSize()).isZero();
      remote.close();
    }
  }

  /**
   * Both publications with CURVE, in two JVMs: the server allows the caller's key, the caller's
   * publication allows the server's (its replies and its sends to the address inside the
   * message authenticate with the server publication's key pair). The reply address and the
   * address inside the message carry the caller publication's key.
   */
  @Test
  void call_acrossJvms_curveOnBothPublications_replyAndAddressInsideAMessageGoWithCurve(
      @TempDir Path dir) throws Exception {
    CurveKeyPair serverKeys = CurveKeyPair.generate();
    CurveKeyPair callerKeys = CurveKeyPair.generate();
    serverKeys.save(dir.resolve("server.key"));
    Files.createDirectory(dir.resolve("allowed"));
    callerKeys.save(dir.resolve("allowed").resolve("caller.key"));
    Files.delete(dir.resolve("allowed").resolve("caller.key" + CurveKeyPair.SECRET_SUFFIX));
    try (ChildJvm server = ChildJvm.start("curve-call-server", CallServer.class,
            "tcp://127.0.0.1:*", "1", dir.resolve("server.key_secret").toString(),
            dir.resolve("allowed").toString());
        RemoteContext ctx = RemoteContext.create()) {
      String endpoint = awaitReady(server);
      Publication mine = ctx.publish(Thread.currentThread(), PUBLISH.withCurve(
          CurveServer.allowing(callerKeys, List.of(serverKeys.publicKey()))),
          "tcp://127.0.0.1:*");
      assertThat(mine.address()).last().isEqualTo("curve:" + callerKeys.publicKey());
      RemoteThread remote = ctx.connect(
          CONNECT.withCurve(new CurveClient(callerKeys, serverKeys.publicKey())), endpoint);

      assertThat(call(remote, "hi", ANSWER)).isEqualTo("echo: hi");
      assertThat(call(remote, 21, ANSWER)).isEqualTo(42);
      send(remote, new Hello(self(), "there"));
      assertThat(receive(ANSWER)).isEqualTo("hello back: there");

      assertThat(mine.stats().received()).as("2 replies and 1 message, over CURVE").isEqualTo(3);
      assertThat(mine.stats().refusedClients()).isZero();
      assertThat(mine.stats().failedHandshakes()).isZero();
      remote.close();
    }
  }

  @Test
  void call_1000VirtualThreadClientsConcurrently_eachGetsItsOwnAnswer() throws Exception {
    try (ChildJvm server = ChildJvm.start("call-server", CallServer.class,
            "tcp://127.0.0.1:*", "1");
        RemoteContext ctx = RemoteContext.create()) {
      String endpoint = awaitReady(server);
      Publication replies = ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, endpoint);
      assertThat(call(remote, "warm-up", ANSWER)).isEqualTo("echo: warm-up");

      List<Future<Object>> answers = new ArrayList<>();
      try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < CLIENTS; i++) {
          int n = i;
          answers.add(clients.submit(() -> call(remote, n, ANSWER)));
        }
        for (int i = 0; i < CLIENTS; i++) {
          assertThat(answers.get(i).get(ANSWER.toSeconds() * 2, TimeUnit.SECONDS))
              .as("client %d's answer", i).isEqualTo(2 * i);
        }
      }
      // counted just after the hand-over to the caller, so possibly a moment after it returned
      Awaitility.await().atMost(ANSWER)
          .until(() -> replies.stats().delivered() == CLIENTS + 1);
      assertThat(replies.stats().droppedTotal()).isZero();
      assertThat(call(remote, "shared-count", ANSWER))
          .as("the server answered 1,001 calls over one shared connection").isEqualTo(1);
      remote.close();
    }
  }

  @Test
  void call_timesOut_thenTheLateReplyIsDroppedAndCounted_notLeftInTheMailbox()
      throws Exception {
    try (ChildJvm server = ChildJvm.start("call-server", CallServer.class,
            "tcp://127.0.0.1:*", "1");
        RemoteContext ctx = RemoteContext.create()) {
      String endpoint = awaitReady(server);
      Publication replies = ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, endpoint);
      assertThat(call(remote, "warm-up", ANSWER)).isEqualTo("echo: warm-up");
      long lateBefore = lateReplyCount();

      assertThatThrownBy(() -> call(remote, "hold", Duration.ofMillis(300)))
          .isInstanceOf(CallTimeoutException.class)
          .hasMessageContaining("no reply from " + remote);
      server.awaitLine("HELD"::equals, ANSWER);
      // the server answers the held request, then this one, on one connection: in that order
      assertThat(call(remote, "release", ANSWER)).isEqualTo("ok");

      assertThat(replies.stats().dropped(DropReason.LATE_REPLY)).isEqualTo(1);
      assertThat(lateReplyCount()).isEqualTo(lateBefore + 1);
      assertThat(mailboxSize()).as("nothing left in the caller's mailbox").isZero();
      remote.close();
    }
  }

  @Test
  void call_serverRestartsBetweenCalls_theSameRemoteThreadReachesTheNewOne() throws Exception {
    String endpoint = "tcp://127.0.0.1:" + ReceiverRestartTest.freePort();
    try (RemoteContext ctx = RemoteContext.create()) {
      ctx.publish(Thread.currentThread(), PUBLISH, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(CONNECT, endpoint);
      try (ChildJvm first = ChildJvm.start("call-server-1", CallServer.class, endpoint, "1")) {
        assertThat(awaitReady(first)).isEqualTo(endpoint);
        assertThat(call(remote, "generation", ANSWER)).isEqualTo("1");
        assertThat(first.kill()).as("SIGKILL exit code").isEqualTo(137);
      }
      try (ChildJvm second = ChildJvm.start("call-server-2", CallServer.class, endpoint, "2")) {
        assertThat(awaitReady(second)).isEqualTo(endpoint);
        // at most once: a request written to the broken connection is lost, so retry, bounded
        Object answer = null;
        int timedOut = 0;
        for (int attempt = 0; attempt < 5 && answer == null; attempt++) {
          try {
            answer = call(remote, "generation", Duration.ofSeconds(10));
          } catch (CallTimeoutException e) {
            timedOut++;
          }
        }
        assertThat(answer).as("an answer from the restarted server (%d call(s) timed out)",
            timedOut).isEqualTo("2");
        assertThat(call(remote, "hi again", ANSWER)).isEqualTo("echo: hi again");
      }
      remote.close();
    }
  }
}
