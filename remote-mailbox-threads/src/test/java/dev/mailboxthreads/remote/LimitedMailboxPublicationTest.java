package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.limitMailbox;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A publication delivering to a limited mailbox: back-pressure, refusals, and close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitedMailboxPublicationTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void block_slowReceiver_everyMessageArrivesInOrder() throws Exception {
    int count = 2_000;
    CompletableFuture<List<Object>> got = new CompletableFuture<>();
    Thread receiver = start(() -> {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        out.add(receive(WAIT));
      }
      got.complete(out);
    });
    limitMailbox(receiver, 4, Overflow.BLOCK);
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(receiver, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      for (int i = 0; i < count; i++) {
        send(remote, i);
      }
      List<Object> expected = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        expected.add(i);
      }
      assertThat(got.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected);
      // counted just after each hand-over: the last one may still be on its way
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(pub.stats().delivered()).isEqualTo(count);
        assertThat(pub.stats().droppedTotal()).isZero();
      });
    }
  }

  @Test
  void fail_fullMailbox_refusalsCountedAsReceiverFull() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    Thread receiver = idleUntil(end);
    limitMailbox(receiver, 1, Overflow.FAIL);
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(receiver, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      for (int i = 0; i < 5; i++) {
        send(remote, i);
      }
      await().atMost(WAIT).untilAsserted(() -> {
        PublicationStats stats = pub.stats();
        assertThat(stats.received()).isEqualTo(5);
        assertThat(stats.delivered()).isEqualTo(1);
        assertThat(stats.dropped(DropReason.RECEIVER_FULL)).isEqualTo(4);
      });
    } finally {
      end.countDown();
    }
  }

  /** A published thread that receives nothing until {@code end} opens. */
  private static Thread idleUntil(CountDownLatch end) {
    return start(() -> {
      try {
        end.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** Close must not wait for a receiver that does not receive. */
  @Test
  void block_closeWhileWaitingForRoom_returns_andCountsTheMessageInHand() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    Thread receiver = idleUntil(end);
    limitMailbox(receiver, 2, Overflow.BLOCK);
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(receiver, "tcp://127.0.0.1:*");
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      for (int i = 0; i < 10; i++) {
        send(remote, i);
      }
      await().atMost(WAIT).until(() -> pub.stats().received() == 3); // 2 in, 1 waiting
      assertThat(pub.stats().delivered()).isEqualTo(2);

      pub.close();

      PublicationStats stats = pub.stats();
      assertThat(stats.delivered()).isEqualTo(2);
      // the one in hand, and any the loop had already taken from the socket as it closed:
      // each is counted, none is silently lost
      assertThat(stats.dropped(DropReason.RECEIVER_FULL)).isBetween(1L, 8L);
      assertThat(stats.received()).isEqualTo(stats.delivered() + stats.droppedTotal());
      // the publication's thread is gone, and it carried no interrupt anywhere: a new
      // publication of the same thread works
      Publication again = ctx.publish(receiver, "tcp://127.0.0.1:*");
      assertThat(again.endpoints()).isNotEmpty();
      again.close();
    } finally {
      end.countDown();
    }
    assertThat(MailboxThreads.mailboxCapacity(receiver)).isIn(-1, 2);
  }
}
