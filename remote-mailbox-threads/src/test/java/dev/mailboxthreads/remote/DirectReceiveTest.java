package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.limitMailbox;
import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.BadInputTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.MailboxInterruptedException;
import dev.mailboxthreads.MailboxTimeoutException;
import dev.mailboxthreads.Overflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Direct receive (OwnerReceive): a publication lends its socket to its platform thread while
 * that thread waits in receive, and the thread reads, decodes and delivers what arrives itself.
 * Order, counts, local sends, timeouts, interrupts, close and the hand-backs to the loop (big
 * frames, a busy owner, a bounded mailbox) stay as without it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DirectReceiveTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  @Test
  void aPlatformThreadWaitingInReceive_readsTheSocketItself() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      int n = 300;
      for (int i = 0; i < n; i++) {
        send(remote, "m" + i);
        assertThat(receive(WAIT)).isEqualTo("m" + i);
      }
      assertThat(pub.loop().directWaits())
          .as("waits for a round trip's message, after the first, are made in the socket")
          .isGreaterThanOrEqualTo(n / 2);
      assertThat(pub.stats().received()).isEqualTo(n);
      assertThat(pub.stats().delivered()).isEqualTo(n);
    }
  }

  @Test
  void aVirtualThread_isLeftToTheLoop() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Long> waits = new CompletableFuture<>();
      Thread t = Thread.ofVirtual().start(() -> {
        try (Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
            RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
          for (int i = 0; i < 50; i++) {
            send(remote, i);
            assertThat(receive(WAIT)).isEqualTo(i);
          }
          waits.complete(pub.loop().directWaits());
        } catch (Throwable e) {
          waits.completeExceptionally(e);
        }
      });
      assertThat(waits.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("a virtual thread must not wait inside JeroMQ (it would hold its carrier)")
          .isZero();
      t.join(WAIT);
    }
  }

  /**
   * Three senders (two remote connections and a local thread) against an owner that sometimes
   * works long enough for the loop to take the socket back, with frames over the owner's limit
   * (left to the loop) among small ones: each sender's sequence arrives whole and in order.
   */
  @Test
  void handsBackAndForth_keepEachSendersOrder_andLoseNothing() throws Exception {
    int perSender = 3_000;
    String big = "x".repeat(2_000);
    Thread me = Thread.currentThread();
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(me, "tcp://127.0.0.1:*");
        RemoteThread a = ctx.connect(pub.endpoints().get(0));
        RemoteThread b = ctx.connect(pub.endpoints().get(0))) {
      List<Thread> senders = new ArrayList<>();
      int[] id = {0};
      for (dev.mailboxthreads.Address to : List.of(a, b)) {
        int sender = id[0]++;
        senders.add(Thread.ofPlatform().start(() -> {
          Random random = new Random(sender);
          for (int i = 0; i < perSender; i++) {
            send(to, sender + ":" + i + ":" + (random.nextInt(20) == 0 ? big : ""));
            if (random.nextInt(50) == 0) {
              pauseMicros(random.nextInt(3_000)); // quiet moments: the owner waits
            }
          }
        }));
      }
      senders.add(Thread.ofPlatform().start(() -> {
        Random random = new Random(7);
        for (int i = 0; i < perSender; i++) {
          send(me, "2:" + i + ":");
          if (random.nextInt(50) == 0) {
            pauseMicros(random.nextInt(3_000));
          }
        }
      }));
      int[] next = new int[3];
      for (int got = 0; got < 3 * perSender; got++) {
        String[] s = ((String) receive(WAIT)).split(":", 3);
        int sender = Integer.parseInt(s[0]);
        assertThat(Integer.parseInt(s[1])).as("sender %d's next", sender).isEqualTo(next[sender]);
        next[sender]++;
        if (got % 3_000 == 1_500) {
          // busy for longer than the loop's looks (two of at most 100 ms): it takes the
          // socket back and reads on; the next wait asks for it again
          pauseMicros(TimeUnit.MILLISECONDS.toMicros(450));
        }
      }
      for (Thread t : senders) {
        assertThat(t.join(WAIT)).isTrue();
      }
      assertThat(next).containsExactly(perSender, perSender, perSender);
      assertThat(receive(Duration.ofMillis(100), "none")).isEqualTo("none");
      assertThat(pub.stats().delivered()).isEqualTo(2L * perSender);
      assertThat(pub.stats().droppedTotal()).isZero();
      assertThat(pub.loop().directWaits()).as("some waits were made in the socket").isPositive();
      // small round trips: the socket is lent to me after each; then I do something else
      // (awaitility's polling, not receive) and the loop takes it back
      for (int i = 0; i < 20; i++) {
        send(a, "small " + i);
        assertThat(receive(WAIT)).isEqualTo("small " + i);
      }
      long before = pub.loop().directTakenBack();
      eventually().until(() -> pub.loop().directTakenBack() > before);
      send(b, "after");
      assertThat(receive(WAIT)).isEqualTo("after");
    }
  }

  private static void pauseMicros(long micros) {
    long end = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(micros);
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }

  /** What a {@link LentOwner} does after its first message. */
  @FunctionalInterface
  interface OwnerBody {
    void run() throws Exception;
  }

  /**
   * A platform thread that publishes itself, takes a first remote message ({@code first}), which
   * gets it the socket lent, then runs its body; {@link #start} returns once the thread waits
   * in the socket again. Closing it closes the connection and waits for the thread.
   *
   * @param thread the owner thread
   * @param pub its publication (closed by the thread when its body returns)
   * @param remote a connection to it
   * @param first the first message it took
   */
  record LentOwner(Thread thread, Publication pub, RemoteThread remote, Object first)
      implements AutoCloseable {
    /**
     * Starts the owner; a failure in it also fails {@code outcomes}, the futures its body
     * completes.
     */
    static LentOwner start(RemoteContext ctx, Thread.Builder.OfPlatform builder, OwnerBody body,
        CompletableFuture<?>... outcomes) throws Exception {
      CompletableFuture<Publication> published = new CompletableFuture<>();
      CompletableFuture<Object> first = new CompletableFuture<>();
      Thread t = builder.start(() -> {
        try (Publication p = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*")) {
          published.complete(p);
          first.complete(receive(WAIT)); // from the remote sender: the socket gets lent
          body.run();
        } catch (Throwable e) {
          published.completeExceptionally(e);
          first.completeExceptionally(e);
          for (CompletableFuture<?> f : outcomes) {
            f.completeExceptionally(e);
          }
        }
      });
      Publication pub = published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      RemoteThread remote = ctx.connect(pub.endpoints().get(0));
      send(remote, "first");
      Object got = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      eventually().until(pub.loop()::ownerWaitsInSocket);
      return new LentOwner(t, pub, remote, got);
    }

    @Override
    public void close() {
      remote.close();
      try {
        assertThat(thread.join(WAIT)).as("%s ended", thread).isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + thread, e);
      }
    }
  }

  @Test
  void aLocalSend_wakesAnOwnerWaitingInTheSocket() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Object> got = new CompletableFuture<>();
      try (LentOwner o = LentOwner.start(ctx, Thread.ofPlatform(),
          () -> got.complete(receive(WAIT)), got)) { // local, while waiting in the socket
        send(o.thread(), "local");
        assertThat(o.first()).isEqualTo("first");
        assertThat(got.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("local");
      }
    }
  }

  @Test
  void aTimeoutInTheSocket_isKept() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      for (int i = 0; i < 20; i++) { // lent from the first wait on
        send(remote, i);
        assertThat(receive(WAIT)).isEqualTo(i);
      }
      long waitsBefore = pub.loop().directWaits();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> receive(Duration.ofMillis(60)))
          .isInstanceOf(MailboxTimeoutException.class);
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(60));
      assertThat(pub.loop().directWaits()).as("the timed wait was made in the socket")
          .isGreaterThan(waitsBefore);
      send(remote, "after");
      assertThat(receive(WAIT)).isEqualTo("after");
    }
  }

  @Test
  void anInterruptInTheSocket_throws_andThePublicationGoesOn() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Boolean> interruptSeen = new CompletableFuture<>();
      CompletableFuture<Object> afterwards = new CompletableFuture<>();
      try (LentOwner o = LentOwner.start(ctx, Thread.ofPlatform(), () -> {
        try {
          receive(WAIT);
          interruptSeen.completeExceptionally(new AssertionError("no interrupt"));
        } catch (MailboxInterruptedException e) {
          interruptSeen.complete(Thread.interrupted()); // still set; cleared here
        }
        afterwards.complete(receive(WAIT));
      }, interruptSeen, afterwards)) {
        o.thread().interrupt();
        assertThat(interruptSeen.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("interrupt status left set").isTrue();
        send(o.remote(), "after the interrupt");
        assertThat(afterwards.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("after the interrupt");
      }
    }
  }

  @Test
  void close_whileTheOwnerWaitsInTheSocket_endsTheLoop_andTheOwnerGoesOnLocally()
      throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Object> got = new CompletableFuture<>();
      try (LentOwner o = LentOwner.start(ctx, Thread.ofPlatform(),
          () -> got.complete(receive(WAIT)), got)) { // waits in the socket when close() comes
        Thread io = o.pub().loop().ioThread();
        o.pub().close();
        assertThat(io.isAlive()).as("close returns once the loop has ended").isFalse();
        assertThat(o.pub().loop().ownerWaitsInSocket()).isFalse();
        send(o.thread(), "local after close");
        assertThat(got.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("local after close");
      }
    }
  }

  @Test
  void anOwnerThatEnds_leavesTheSocketToTheLoop() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Publication> published = new CompletableFuture<>();
      Thread owner = Thread.ofPlatform().start(() -> {
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        published.complete(pub);
        receive(WAIT); // lent; then the thread ends holding nothing but the lease
      });
      Publication pub = published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      try (RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
        send(remote, "first");
        assertThat(owner.join(WAIT)).isTrue();
        send(remote, "to nobody");
        eventually().until(() -> pub.stats().dropped(DropReason.RECEIVER_ENDED) == 1);
        assertThat(pub.stats().received()).isEqualTo(2);
      } finally {
        pub.close();
      }
    }
  }

  /**
   * A message whose decoding overflows the owner's small stack goes to the loop, whose stack is
   * big, instead of being dropped; and large single frames are the owner's to read.
   */
  @Test
  void aGraphTooDeepForTheOwnersStack_isDecodedByTheLoop() throws Exception {
    int depth = 900; // under JavaCodec's depth limit (1000)
    List<Object> deep = new ArrayList<>();
    List<Object> inner = deep;
    for (int i = 1; i < depth; i++) {
      List<Object> next = new ArrayList<>();
      inner.add(next);
      inner = next;
    }
    inner.add("bottom");
    try (RemoteContext ctx = RemoteContext.create()) {
      CompletableFuture<Object> got = new CompletableFuture<>();
      CompletableFuture<Object> big = new CompletableFuture<>();
      try (LentOwner o = LentOwner.start(ctx, Thread.ofPlatform().stackSize(192 * 1024), () -> {
        got.complete(receive(WAIT));
        big.complete(receive(WAIT));
      }, got, big)) {
        send(o.remote(), deep);
        Object back = got.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int levels = 0;
        Object obj = back;
        while (obj instanceof List<?> l) {
          levels++;
          obj = l.get(0);
        }
        assertThat(levels).isEqualTo(depth);
        assertThat(obj).isEqualTo("bottom");
        eventually().until(o.pub().loop()::ownerWaitsInSocket); // it reads the next one itself
        String text = "y".repeat(8_000);
        send(o.remote(), text);
        assertThat(big.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(text);
        assertThat(o.pub().stats().delivered()).isEqualTo(3);
        assertThat(o.pub().stats().droppedTotal()).as("the deep one was not dropped").isZero();
      }
    }
  }

  /**
   * A publication that carries the replies to another thread's calls stops lending its socket:
   * the reply must not wait there while the published thread does something else (here, it
   * waits in {@code join}).
   */
  @Test
  void aPublicationCarryingOtherThreadsReplies_stopsLending() throws Exception {
    Thread me = Thread.currentThread();
    try (RemoteContext ctx = RemoteContext.create();
        Publication mine = ctx.publish(me, "tcp://127.0.0.1:*"); // the oldest: the way back
        RemoteThread toMe = ctx.connect(mine.endpoints().get(0))) {
      CompletableFuture<Publication> serverPub = new CompletableFuture<>();
      Thread server = Thread.ofPlatform().start(() -> {
        try (Publication p = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*")) {
          serverPub.complete(p);
          for (Object m = receive(WAIT); !"stop".equals(m); m = receive(WAIT)) {
            ((dev.mailboxthreads.Request) m).reply("echo:" + ((dev.mailboxthreads.Request) m).body());
          }
        }
      });
      try (RemoteThread toServer = ctx.connect(serverPub.get(WAIT.toSeconds(), TimeUnit.SECONDS)
          .endpoints().get(0))) {
        for (int i = 0; i < 20; i++) { // my socket is lent to me from here on
          send(toMe, i);
          assertThat(receive(WAIT)).isEqualTo(i);
        }
        assertThat(mine.loop().directWaits()).isPositive();
        CompletableFuture<Object> answer = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> { // not published: replies come to mine
          try {
            answer.complete(dev.mailboxthreads.MailboxThreads.call(toServer, "hi", WAIT));
          } catch (Throwable e) {
            answer.completeExceptionally(e);
          }
        });
        assertThat(caller.join(WAIT)).isTrue(); // meanwhile I wait in join, not in receive
        assertThat(answer.get()).isEqualTo("echo:hi");
        long waits = mine.loop().directWaits();
        for (int i = 0; i < 20; i++) {
          send(toMe, i);
          assertThat(receive(WAIT)).isEqualTo(i);
        }
        assertThat(mine.loop().directWaits()).as("no more lending").isEqualTo(waits);
        send(server, "stop");
      }
      assertThat(server.join(WAIT)).isTrue();
    }
  }

  @Test
  void aBoundedMailbox_isLeftToTheLoop() {
    Thread me = Thread.currentThread();
    limitMailbox(me, 1_000, Overflow.BLOCK);
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(me, "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      for (int i = 0; i < 50; i++) {
        send(remote, i);
        assertThat(receive(WAIT)).isEqualTo(i);
      }
      assertThat(pub.loop().directWaits())
          .as("the loop waits for room in a full bounded mailbox; its owner could not")
          .isZero();
    } finally {
      dev.mailboxthreads.MailboxThreads.unlimitMailbox(me);
    }
  }
}
