package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many senders share one connection whose queue is nearly always full, so most sends wait for
 * room: the I/O thread wakes one waiter per slot it frees, and none may be left asleep beside a
 * free slot (a lost wake-up would show as a send that times out, or a message that never comes).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SendersAtTheHighWaterMarkTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  @ParameterizedTest(name = "{0} virtual senders x {1}, high-water mark {2}, {3} bytes")
  @CsvSource({"2000, 10, 1, 16777216", "2000, 10, 16, 16777216", "200, 100, 64, 16777216",
      // the byte bound full first: about 20 of these messages of 13 to 17 bytes
      "2000, 10, 100000, 256", "200, 100, 100000, 1"})
  void send_manySendersWaitingForRoom_everyMessageArrivesInEachSendersOrder(
      int senders, int perSender, int highWaterMark, long queueBytes) throws Exception {
    int total = senders * perSender;
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication mine = ctx.publish(Thread.currentThread(), "ipc://" + dir.resolve("hwm.sock"));
      RemoteThread remote = ctx.connect(ConnectOptions.defaults()
          .withSendHighWaterMark(highWaterMark)
          .withSendQueueBytes(queueBytes)
          .withSendTimeout(WAIT), mine.endpoints().get(0));
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      AtomicInteger finished = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int sender = s;
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            go.await();
            for (int i = 0; i < perSender; i++) {
              send(remote, sender + "," + i);
            }
            finished.incrementAndGet();
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      go.countDown();

      int[] next = new int[senders];
      for (int m = 0; m < total; m++) {
        String[] got = ((String) receive(WAIT)).split(",");
        int sender = Integer.parseInt(got[0]);
        assertThat(Integer.parseInt(got[1])).as("message %s of sender %d", got[1], sender)
            .isEqualTo(next[sender]);
        next[sender]++;
      }
      for (Thread t : threads) {
        assertThat(t.join(WAIT)).as("%s ended", t).isTrue();
      }
      assertThat(failure.get()).as("a sender failed").isNull();
      assertThat(finished.get()).isEqualTo(senders);
      assertThat(remote.stats().timedOut()).isZero();
      assertThat(remote.stats().queuedBytes()).as("nothing left queued").isZero();
      assertThat(receive(Duration.ZERO, "none")).isEqualTo("none");
    }
  }

  /**
   * Closing a connection whose senders wait for room (nobody is bound, so nothing drains) fails
   * every waiting sender at once with the reason, long before their send timeout.
   */
  @Test
  void close_sendersWaitingForRoom_eachFailsAtOnceSayingTheConnectionIsClosed() throws Exception {
    int senders = 2_000;
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(ConnectOptions.defaults()
          .withSendHighWaterMark(1)
          .withSendTimeout(Duration.ofMinutes(5))
          .withLinger(Duration.ZERO), "ipc://" + dir.resolve("nobody.sock"));
      AtomicInteger sent = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      AtomicReference<Throwable> other = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int sender = s;
        threads.add(Thread.ofVirtual().start(() -> {
          try {
            send(remote, "m" + sender);
            sent.incrementAndGet();
          } catch (IllegalStateException e) {
            if (e.getMessage().contains("is closed")) {
              refused.incrementAndGet();
            } else {
              other.compareAndSet(null, e);
            }
          } catch (Throwable e) {
            other.compareAndSet(null, e);
          }
        }));
      }
      // all but the few whose frames fit in the queues are parked, waiting for room
      await().atMost(WAIT).until(() -> threads.stream()
          .filter(t -> t.getState() == Thread.State.TIMED_WAITING).count() >= senders - 10);

      long start = System.nanoTime();
      remote.close();
      for (Thread t : threads) {
        assertThat(t.join(WAIT)).as("%s ended", t).isTrue();
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("the senders failed at once, not at their 5-minute timeout")
          .isLessThan(WAIT);
      assertThat(other.get()).as("an unexpected failure").isNull();
      assertThat(refused.get()).isGreaterThanOrEqualTo(senders - 10);
      assertThat(sent.get() + refused.get()).isEqualTo(senders);
      assertThat(remote.stats().timedOut()).isZero();
    }
  }
}
