package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static dev.mailboxthreads.TestThreads.PATIENCE;
import static dev.mailboxthreads.TestThreads.drain;
import static dev.mailboxthreads.TestThreads.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.TestThreads.Kind;
import dev.mailboxthreads.TestThreads.Spawned;
import dev.mailboxthreads.internal.Calls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Request/reply in one process: {@code call}, {@code Request.reply}, late replies. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallTest {

  /** A server that answers every request with "echo: " + body until it gets "stop". */
  private static Thread echoServer() {
    return start(() -> {
      while (true) {
        Request r = receive(Request.class);
        if (r.body().equals("stop")) {
          return;
        }
        r.reply("echo: " + r.body());
      }
    });
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void call_serverReplies_returnsTheReplyBody(Kind kind) throws Exception {
    Thread server = echoServer();
    try {
      Object answer = TestThreads.call(kind, () -> call(addressOf(server), "hi", PATIENCE));
      assertThat(answer).isEqualTo("echo: hi");
    } finally {
      send(server, new Request("stop", self(), 0));
    }
  }

  /** A reply is not an ordinary message: the caller waits for it, so no limit may refuse it. */
  @ParameterizedTest
  @EnumSource(Overflow.class)
  void call_callersMailboxFull_theReplyStillArrives(Overflow whenFull) throws Exception {
    Thread server = echoServer();
    try {
      List<Object> left = TestThreads.call(() -> {
        Thread me = Thread.currentThread();
        MailboxThreads.limitMailbox(me, 1, whenFull);
        send(me, "filler");
        assertThat(call(addressOf(server), "hi", PATIENCE)).isEqualTo("echo: hi");
        return drain();
      });
      assertThat(left).containsExactly("filler");
    } finally {
      send(server, new Request("stop", self(), 0));
    }
  }

  @Test
  void call_otherMessagesArriveMeanwhile_theyStayInTheMailboxInOrder() throws Exception {
    List<Object> left = TestThreads.call(() -> {
      Address me = self();
      CountDownLatch othersSent = new CountDownLatch(1);
      Thread server = start(() -> {
        Request r = receive(Request.class);
        me.send("before-1");
        me.send(new Reply(r.correlationId() + 1, "a reply to another call"));
        me.send("before-2");
        othersSent.countDown();
        r.reply(42);
        me.send("after");
      });
      send(self(), "already there");
      Object answer = call(addressOf(server), "q", PATIENCE);
      assertThat(answer).isEqualTo(42);
      server.join(PATIENCE);
      return drain();
    });
    assertThat(left).hasSize(5);
    assertThat(left.subList(0, 3)).containsExactly("already there", "before-1",
        left.get(2));
    assertThat(left.get(2)).isInstanceOf(Reply.class);
    assertThat(left.subList(3, 5)).containsExactly("before-2", "after");
  }

  @Test
  void call_noReplyInTime_throwsCallTimeoutExceptionNamingTargetAndTimeout() throws Exception {
    Thread mute = start(() -> receive(String.class)); // takes no Request
    try {
      Throwable thrown = TestThreads.call(() -> {
        try {
          call(addressOf(mute), "anyone?", Duration.ofMillis(50));
          return null;
        } catch (CallTimeoutException e) {
          return e;
        }
      });
      assertThat(thrown).isInstanceOf(MailboxTimeoutException.class)
          .hasMessageContaining("no reply from")
          .hasMessageContaining("java.lang.String request")
          .hasMessageContaining("PT0.05S")
          .hasMessageContaining("lateReplyCount");
      assertThat(((CallTimeoutException) thrown).timeout()).isEqualTo(Duration.ofMillis(50));
      assertThat(((CallTimeoutException) thrown).target()).isEqualTo(addressOf(mute));
    } finally {
      send(mute, "stop");
    }
  }

  @Test
  void call_replyAfterTimeout_isDroppedAndCountedNotLeftInTheMailbox() throws Exception {
    CountDownLatch timedOut = new CountDownLatch(1);
    Spawned<Request> server = spawn(() -> receive(Request.class));
    Spawned<List<Object>> client = spawn(() -> {
      assertThatThrownBy(() -> call(addressOf(server.thread()), "slow", Duration.ofMillis(20)))
          .isInstanceOf(CallTimeoutException.class);
      timedOut.countDown();
      assertThat(receive(Duration.ofSeconds(20))).isEqualTo("go on"); // after the late reply
      return drain();
    });
    Request request = server.join();
    assertThat(timedOut.await(20, TimeUnit.SECONDS)).isTrue();
    long lateBefore = lateReplyCount();

    request.reply("too late");
    send(client.thread(), "go on");

    assertThat(client.join()).isEmpty();
    assertThat(lateReplyCount()).isEqualTo(lateBefore + 1);
  }

  @Test
  void deliverReply_secondReplyOrUnknownId_droppedAndCounted() throws Exception {
    Spawned<Request> server = spawn(() -> receive(Request.class));
    Spawned<Object> client = spawn(() -> call(addressOf(server.thread()), "x", PATIENCE));
    Request request = server.join();
    long lateBefore = lateReplyCount();

    request.reply("first");
    assertThat(client.join()).isEqualTo("first");
    request.reply("second");
    boolean strayDelivered = deliverReply(new Reply(request.correlationId() + 12345, "stray"));

    assertThat(strayDelivered).isFalse();
    assertThat(lateReplyCount()).isEqualTo(lateBefore + 2);
  }

  @Test
  void call_interrupted_throwsAndAReplyThatComesLaterIsDropped() throws Exception {
    Spawned<Request> server = spawn(() -> receive(Request.class));
    Spawned<Boolean> client = spawn(() -> {
      try {
        call(addressOf(server.thread()), "x", PATIENCE);
        return false;
      } catch (MailboxInterruptedException e) {
        boolean interrupted = Thread.interrupted();
        return interrupted && drain().isEmpty();
      }
    });
    Request request = server.join();
    TestThreads.awaitParked(client.thread());
    client.thread().interrupt();
    assertThat(client.join()).isTrue();
    long lateBefore = lateReplyCount();

    request.reply("nobody waits");

    assertThat(lateReplyCount()).isEqualTo(lateBefore + 1);
  }

  @Test
  void call_negativeTimeout_illegalArgumentNamingTheValue() {
    assertThatThrownBy(() -> call(self(), "x", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-1S");
  }

  @Test
  void call_sendFails_exceptionPropagatesAndNoCallStaysPending() throws Exception {
    int before = Calls.pending();
    Address broken = m -> {
      throw new IllegalStateException("cannot send");
    };
    assertThatThrownBy(() -> TestThreads.call(() -> call(broken, "x", PATIENCE)))
        .hasMessageContaining("cannot send");
    assertThat(Calls.pending()).isEqualTo(before);
  }

  @Test
  void call_1000VirtualClientsOneServer_eachGetsItsOwnAnswer() throws Exception {
    Thread server = start(() -> {
      for (int i = 0; i < 1000; i++) {
        Request r = receive(Request.class);
        r.reply((Integer) r.body() * 2);
      }
    });
    List<Spawned<Object>> clients = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      clients.add(spawn(() -> call(addressOf(server), n, PATIENCE)));
    }
    for (int i = 0; i < 1000; i++) {
      assertThat(clients.get(i).join()).isEqualTo(2 * i);
    }
    assertThat(server.join(PATIENCE)).isTrue();
  }
}
