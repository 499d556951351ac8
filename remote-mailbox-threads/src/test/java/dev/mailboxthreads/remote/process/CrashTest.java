package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublicationStats;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers that die with SIGKILL in the middle of a stream (docs/reliability.md has the measured
 * numbers).
 *
 * <p>Consumer killed and restarted: four sender threads in this JVM stream {@code "i:SEQ"}
 * through one {@link RemoteThread} (send timeout 1 s, high-water mark 1,000) to a consumer JVM,
 * which prints every message it takes. It is killed mid-stream; the senders go on (their sends
 * time out once both queues are full: back-pressure, never a hang); a new consumer is started on
 * the same endpoint; the senders' messages reach it without any action of theirs. Accounting,
 * per sender: what the old consumer printed, what the new one printed, what was lost. "In
 * flight" at the kill is what had been sent and not yet printed: handed to ZeroMQ, in the
 * kernel's buffers, or taken by the consumer and not yet printed.
 *
 * <p>Producer killed: a producer JVM streams to a publication in this JVM at full speed, next to
 * a sender of this JVM; killing it mid-stream (possibly mid-frame) disturbs nothing: what arrived
 * from it is a gap-free prefix of its stream, nothing is dropped as malformed, and the other
 * sender's messages keep arriving.
 */
class CrashTest {
  private static final Duration STARTUP = Duration.ofSeconds(30);
  private static final Duration RECOVERY = Duration.ofSeconds(30);
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);
  private static final String NOM = "nom nom nom:";
  private static final int SENDERS = 4;

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void consumerKilledMidStreamAndRestarted_sendersNeverHangResumeAlone_lossOnlyInFlight()
      throws Exception {
    String endpoint = "tcp://127.0.0.1:" + ReceiverRestartTest.freePort();
    List<List<Long>> before = new ArrayList<>();
    List<List<Long>> after = new ArrayList<>();
    long[] sentAtKill;
    long[] sentAtRestart;
    long[] sentAtEnd;
    long restartToResumeMillis;
    PacedSenders senders;
    try (RemoteContext context = RemoteContext.create()) {
      RemoteThread remote = context.connect(ConnectOptions.defaults()
          .withSendTimeout(SEND_TIMEOUT).withSendHighWaterMark(1_000), endpoint);
      try (ChildJvm first = ChildJvm.start("consumer-1", NomNomConsumer.class, endpoint)) {
        first.awaitLine(l -> l.startsWith("READY "), STARTUP);
        senders = new PacedSenders(remote, SENDERS, TimeUnit.MICROSECONDS.toNanos(500));
        first.awaitLines(l -> l.startsWith(NOM), 4_000, RECOVERY); // mid-stream
        sentAtKill = senders.sentNow();
        assertThat(first.kill()).as("SIGKILL exit code").isEqualTo(137);
        for (int i = 0; i < SENDERS; i++) {
          before.add(seqs(first.lines(), i));
        }
      }
      // down: every sender fills both queues and then times out, once at least
      long deadline = System.nanoTime() + RECOVERY.toNanos();
      for (int i = 0; i < SENDERS; i++) {
        int id = i;
        await().atMost(Duration.ofNanos(deadline - System.nanoTime()))
            .until(() -> senders.timeouts(id) > 0);
      }
      try (ChildJvm second = ChildJvm.start("consumer-2", NomNomConsumer.class, endpoint)) {
        second.awaitLine(l -> l.startsWith("READY "), STARTUP);
        long restarted = System.nanoTime();
        sentAtRestart = senders.sentNow();
        // resumed: each sender's messages sent after the restart arrive
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
            .until(() -> printedAll(second, sentAtRestart));
        restartToResumeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
        senders.stop();
        sentAtEnd = senders.sentNow();
        // final: the last message of each sender arrives, so every count is settled
        long[] lastSeqs = new long[SENDERS];
        for (int i = 0; i < SENDERS; i++) {
          lastSeqs[i] = sentAtEnd[i] - 1;
        }
        await().atMost(RECOVERY).pollInterval(Duration.ofMillis(50))
            .until(() -> printedAll(second, lastSeqs));
        for (int i = 0; i < SENDERS; i++) {
          after.add(seqs(second.lines(), i));
        }
      }
      remote.close();
    }

    long sent = 0;
    long inFlight = 0;
    long lostBeforeKill = 0;
    long lostAfterKill = 0;
    long printedOld = 0;
    long printedNew = 0;
    for (int i = 0; i < SENDERS; i++) {
      List<Long> old = before.get(i);
      List<Long> nu = after.get(i);
      assertThat(old).as("sender %d, old consumer: in order, once each", i)
          .isSorted().doesNotHaveDuplicates();
      assertThat(nu).as("sender %d, new consumer: in order, once each", i)
          .isSorted().doesNotHaveDuplicates();
      if (!old.isEmpty() && !nu.isEmpty()) {
        assertThat(nu.get(0)).as("sender %d: nothing twice across the restart", i)
            .isGreaterThan(old.get(old.size() - 1));
      }
      assertThat(nu).as("sender %d: everything sent after the restart arrived", i)
          .containsSequence(range(sentAtRestart[i], sentAtEnd[i]));
      long killAt = sentAtKill[i];
      long oldBeforeKill = old.stream().filter(s -> s < killAt).count();
      long lost = sentAtEnd[i] - old.size() - nu.size();
      long lostAfter = sentAtEnd[i] - killAt
          - old.stream().filter(s -> s >= killAt).count()
          - nu.stream().filter(s -> s >= killAt).count();
      sent += sentAtEnd[i];
      inFlight += sentAtKill[i] - oldBeforeKill;
      lostAfterKill += lostAfter;
      lostBeforeKill += lost - lostAfter;
      printedOld += old.size();
      printedNew += nu.size();
    }
    System.out.printf("consumer crash: %d senders sent %d; old consumer printed %d, new one %d;"
        + " in flight at the kill %d; lost %d of those and %d sent after the kill; %d send(s)"
        + " timed out, longest send %d ms (timeout %d ms); resumed %d ms after the restart%n",
        SENDERS, sent, printedOld, printedNew, inFlight, lostBeforeKill, lostAfterKill,
        senders.totalTimeouts(), senders.maxSendMillis(), SEND_TIMEOUT.toMillis(),
        restartToResumeMillis);
    assertThat(senders.maxSendMillis()).as("longest send, ms: never past the send timeout")
        .isLessThan(SEND_TIMEOUT.toMillis() + 1_000);
    assertThat(lostBeforeKill).as("lost of what was sent before the kill: only what was in"
        + " flight").isLessThanOrEqualTo(inFlight);
    assertThat(lostAfterKill).as("lost of what was sent after the kill: only what went to the"
        + " dead connection before ZeroMQ saw it close, at most a queue's worth")
        .isLessThanOrEqualTo(2_000);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void producerKilledMidStream_consumerUnaffected() throws Exception {
    Object stop = new Object();
    BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
    Thread receiver = start(() -> {
      for (Object m; (m = receive()) != stop; ) {
        delivered.add((String) m);
      }
    });
    List<String> all = new ArrayList<>();
    PublicationStats stats;
    try (RemoteContext context = RemoteContext.create()) {
      Publication publication = context.publish(receiver, "tcp://127.0.0.1:*");
      String endpoint = publication.endpoints().get(0);
      RemoteThread local = context.connect(endpoint);
      PacedSenders live = new PacedSenders(local, 1, TimeUnit.MILLISECONDS.toNanos(1));
      try (ChildJvm producer = ChildJvm.start("producer", EndlessProducer.class, endpoint, "k")) {
        // mid-stream: 10,000 of its messages have arrived, and it goes on sending
        drainUntil(delivered, all, () -> all.stream().filter(m -> m.startsWith("k:")).count()
            >= 10_000, "10,000 messages of the producer");
        assertThat(producer.kill()).as("SIGKILL exit code").isEqualTo(137);
      }
      long liveAtKill = live.sent(0);
      // unaffected: the live sender's messages keep arriving, 500 more after the kill
      String target = "0:" + (liveAtKill + 500);
      drainUntil(delivered, all, () -> all.contains(target), "the live sender's " + target);
      live.stop();
      local.close();
      stats = publication.stats();
      assertThat(receiver.isAlive()).isTrue();
    } finally {
      send(receiver, stop);
      receiver.join(10_000);
    }
    delivered.drainTo(all);
    List<Long> fromKilled = all.stream().filter(m -> m.startsWith("k:"))
        .map(m -> Long.parseLong(m.substring(2))).toList();
    List<Long> fromLive = all.stream().filter(m -> m.startsWith("0:"))
        .map(m -> Long.parseLong(m.substring(2))).toList();
    System.out.printf("producer crash: %d messages of the killed producer arrived, a gap-free"
        + " prefix; the live sender's %d kept arriving; publication %s%n",
        fromKilled.size(), fromLive.size(), stats);
    assertThat(fromKilled).as("the killed producer's messages: a gap-free prefix")
        .isEqualTo(range(0, fromKilled.size()));
    assertThat(fromKilled.size()).as("it was mid-stream").isGreaterThanOrEqualTo(10_000);
    assertThat(fromLive).as("the live sender's messages, in order, none lost")
        .isEqualTo(range(0, fromLive.size()));
    assertThat(stats.droppedTotal()).as("nothing dropped: a torn frame is not delivered")
        .isZero();
    assertThat(stats.received()).isEqualTo(stats.delivered());
  }

  /** Moves what arrives into {@code all} until {@code done} holds (bounded by RECOVERY). */
  private static void drainUntil(BlockingQueue<String> delivered, List<String> all,
      java.util.function.BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (!done.getAsBoolean()) {
      String m = delivered.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(m).as("waiting for " + what).isNotNull();
      all.add(m);
      delivered.drainTo(all);
    }
  }

  /** Whether the consumer has printed message {@code i:seqs[i]} of every sender {@code i}. */
  private static boolean printedAll(ChildJvm consumer, long[] seqs) {
    java.util.Set<String> lines = new java.util.HashSet<>(consumer.lines());
    for (int i = 0; i < seqs.length; i++) {
      if (!lines.contains(NOM + i + ":" + seqs[i])) {
        return false;
      }
    }
    return true;
  }

  static List<Long> range(long fromInclusive, long toExclusive) {
    List<Long> r = new ArrayList<>();
    for (long s = fromInclusive; s < toExclusive; s++) {
      r.add(s);
    }
    return r;
  }

  private static List<Long> seqs(List<String> lines, int sender) {
    String prefix = NOM + sender + ":";
    return lines.stream().filter(l -> l.startsWith(prefix))
        .map(l -> Long.parseLong(l.substring(prefix.length()))).toList();
  }
}
