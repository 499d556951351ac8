package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.BadInputTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.internal.SenderLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A sender on a quiet connection hands its frame to the socket itself while the connection's
 * I/O thread is parked (SenderLoop's notes, "Lending"): order, counts, interrupts and close
 * stay as with the queue, and a burst is still left to the I/O thread, which batches.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectSendTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** Busy-waits (no event to wait for): keeps the connection quiet between two sends. */
  private static void pause(long micros) {
    long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }

  @Test
  void quietSends_goStraightToTheSocket_inOrder() {
    int n = 200;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      SenderLoop loop = remote.loop();
      for (int i = 0; i < n; i++) {
        send(remote, "m" + i);
        assertThat(receive(WAIT)).isEqualTo("m" + i); // a round trip apart: quiet
      }
      assertThat(loop.directSends())
          .as("sends a round trip apart, after the handshake, go without the I/O thread")
          .isGreaterThanOrEqualTo(n / 2);
      ConnectionStats stats = remote.stats();
      assertThat(stats.sent()).isEqualTo(n);
      assertThat(stats.queued()).isZero();
    }
  }

  @Test
  void aBurst_isLeftToTheIoThread() {
    int n = 20_000;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      send(remote, -1);
      assertThat(receive(WAIT)).isEqualTo(-1); // connected
      long before = remote.loop().directSends();
      for (int i = 0; i < n; i++) {
        send(remote, i);
      }
      for (int i = 0; i < n; i++) {
        assertThat(receive(WAIT)).isEqualTo(i);
      }
      assertThat(remote.loop().directSends() - before)
          .as("messages sent back to back are queued (and batched), not sent one by one")
          .isLessThan(n / 10);
    }
  }

  @Test
  void anInterruptedSender_sendsAndKeepsItsInterruptStatus() {
    int n = 50;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      send(remote, "hello");
      assertThat(receive(WAIT)).isEqualTo("hello");
      long before = remote.loop().directSends();
      for (int i = 0; i < n; i++) {
        Thread.currentThread().interrupt();
        send(remote, i);
        assertThat(Thread.interrupted()).as("the interrupt survives send %d", i).isTrue();
        assertThat(receive(WAIT)).isEqualTo(i);
      }
      assertThat(remote.loop().directSends() - before)
          .as("interrupted senders went straight to the socket too")
          .isGreaterThanOrEqualTo(n / 2);
    }
  }

  @Test
  void interruptsDuringDirectSends_loseNothing_duplicateNothing_breakNothing() throws Exception {
    int n = 3_000;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      send(remote, -1);
      assertThat(receive(WAIT)).isEqualTo(-1);
      AtomicLong interrupts = new AtomicLong();
      AtomicBoolean done = new AtomicBoolean();
      Thread sender = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < n; i++) {
          send(remote, i);
          if (Thread.interrupted()) {
            interrupts.incrementAndGet();
          }
          pause(30 + i % 40);
        }
        done.set(true);
      });
      Thread interrupter = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 100_000 && !done.get(); i++) {
          sender.interrupt();
          pause(ThreadLocalRandom.current().nextInt(5, 80));
        }
      });
      for (int i = 0; i < n; i++) {
        assertThat(receive(WAIT)).as("message %d, in order, once", i).isEqualTo(i);
      }
      sender.join(WAIT.toMillis());
      interrupter.join(WAIT.toMillis());
      assertThat(sender.isAlive()).isFalse();
      assertThat(interrupts.get()).as("the sender was interrupted, and saw it").isPositive();
      assertThat(remote.loop().directSends()).as("some sends were direct").isPositive();
      assertThat(receive(Duration.ZERO, "nothing more")).isEqualTo("nothing more");
      // the context's ZeroMQ threads are intact: a new connection on it still delivers
      try (RemoteThread again = ctx.connect(pub.endpoints().get(0))) {
        send(again, "after");
        assertThat(receive(WAIT)).isEqualTo("after");
      }
    }
  }

  @Test
  void closeDuringDirectSends_everyAcceptedMessageIsDelivered() throws Exception {
    int senders = 4;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*")) {
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      send(remote, List.of(-1, -1));
      assertThat(receive(WAIT)).isEqualTo(List.of(-1, -1));
      long[] accepted = new long[senders];
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < senders; s++) {
        int id = s;
        threads.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < 1_000_000; i++) {
            try {
              send(remote, List.of(id, i));
            } catch (IllegalStateException closed) {
              return;
            }
            accepted[id]++;
            pause(20 + ThreadLocalRandom.current().nextInt(40));
          }
        }));
      }
      eventually().until(() -> remote.loop().directSends() >= 200);
      remote.close();
      for (Thread t : threads) {
        t.join(WAIT.toMillis());
        assertThat(t.isAlive()).isFalse();
      }
      long total = 0;
      for (long a : accepted) {
        total += a;
      }
      int[] next = new int[senders];
      for (long i = 0; i < total; i++) {
        @SuppressWarnings("unchecked")
        List<Integer> m = (List<Integer>) receive(WAIT);
        int id = m.get(0);
        assertThat(m.get(1)).as("sender %d in order", id).isEqualTo(next[id]);
        next[id]++;
      }
      assertThat(receive(Duration.ZERO, "nothing more")).isEqualTo("nothing more");
      ConnectionStats stats = remote.stats();
      assertThat(stats.sent()).as("sent: the handshake message and every accepted one")
          .isEqualTo(total + 1);
      assertThat(stats.discarded()).isZero();
      assertThat(stats.queued()).isZero();
    }
  }
}
