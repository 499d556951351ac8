package dev.mailboxthreads.internal;

import static dev.mailboxthreads.internal.MailboxTest.mailboxOf;
import static dev.mailboxthreads.internal.MailboxTest.takeAll;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the chunked layout of {@link Mailbox} makes risky: positions at chunk edges, cursors and
 * tombstones across chunks, the return to the shared empty state, and many producers crossing
 * chunk boundaries. Chunks hold 2, 8, 32, then 128 slots, so the first boundaries fall after
 * messages 2, 10, 42, 170, 298...
 */
class MailboxChunkTest {

  /** Positions on both sides of the first chunk boundaries. */
  private static final int[] EDGES = {0, 1, 2, 9, 10, 41, 42, 169, 170, 297, 298};

  private static List<Object> range(int from, int to) {
    List<Object> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }

  /** Chunks a mailbox holding {@code messages} messages from an empty state needs. */
  private static int chunksFor(int messages) {
    int chunks = 0;
    for (int size = Mailbox.FIRST_CHUNK, held = 0; held < messages;
        held += size, size = Math.min(size * 4, Mailbox.MAX_CHUNK)) {
      chunks++;
    }
    return chunks;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void chunkSizes_growFromFirstToMax() {
    assertThat(chunksFor(298)).as("2 + 8 + 32 + 128 + 128").isEqualTo(5);
    Mailbox m = mailboxOf(Thread.currentThread());
    for (int i = 0; i < 400; i++) {
      m.offer(i);
      assertThat(m.chunks()).as("after %d messages", i + 1).isEqualTo(chunksFor(i + 1));
    }
    assertThat(takeAll(m)).containsExactlyElementsOf(range(0, 400));
  }

  /** The cursor walks across many chunks, and extraction works at each side of each edge. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void extract_atEveryChunkEdge_withTheCursorComingFromAnEarlierChunk() {
    for (int edge : EDGES) {
      Mailbox m = mailboxOf(Thread.currentThread());
      for (int i = 0; i < 400; i++) {
        m.offer(i);
      }
      for (int i = 0; i <= edge; i++) {
        assertThat(m.next(0)).isEqualTo(i);
      }
      assertThat(m.extractAndRewind()).as("extract at %d", edge).isEqualTo(edge);
      assertThat(m.size()).isEqualTo(399);
      List<Object> expected = range(0, 400);
      expected.remove((Object) edge);
      List<Object> walked = new ArrayList<>();
      for (Object v; (v = m.next(0)) != null; ) {
        walked.add(v);
      }
      assertThat(walked).as("next after extract at %d", edge).isEqualTo(expected);
      assertThat(takeAll(m)).isEqualTo(expected);
    }
  }

  /**
   * Tombstones over several whole chunks, with one live message before them and some after:
   * traversals skip them, fully dead chunks are unlinked, and the head passes them.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void tombstones_spanningChunks_areSkipped_andDeadChunksUnlinked() {
    Mailbox m = mailboxOf(Thread.currentThread());
    for (int i = 0; i < 600; i++) {
      m.offer(i);
    }
    int chunksBefore = m.chunks();
    // remove 1..549 selectively, oldest first, as a selective receive loop does
    for (int i = 1; i < 550; i++) {
      int want = i;
      assertThat(m.takeMatching(x -> x.equals(want), 0)).isEqualTo(want);
    }
    assertThat(m.size()).isEqualTo(51);
    assertThat(m.chunks()).as("chunks holding only tombstones are unlinked")
        .isLessThan(chunksBefore).isLessThanOrEqualTo(3);
    assertThat(m.next(0)).isEqualTo(0);
    assertThat(m.next(0)).as("the cursor jumps the dead chunks").isEqualTo(550);
    assertThat(m.extractAndRewind()).isEqualTo(550);
    List<Object> expected = new ArrayList<>(List.of(0));
    expected.addAll(range(551, 600));
    assertThat(takeAll(m)).isEqualTo(expected);
    assertThat(m.chunks()).isLessThanOrEqualTo(1);
  }

  /** Tombstones at the very end of the last chunk, then producers continue into a new one. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void tombstonesAtTheEndOfAFullChunk_thenNewMessages() {
    Mailbox m = mailboxOf(Thread.currentThread());
    for (int i = 0; i < 8; i++) {
      m.offer(i);
    }
    for (int k = 7; k >= 4; k--) { // extract 7, 6, 5, 4: the newest, then its predecessors
      for (int i = 0; i <= k; i++) {
        m.next(0);
      }
      assertThat(m.extractAndRewind()).isEqualTo(k);
    }
    assertThat(m.size()).isEqualTo(4);
    m.offer(8);
    m.offer(9);
    assertThat(m.takeMatching(x -> x.equals(8), 0)).isEqualTo(8);
    assertThat(takeAll(m)).containsExactly(0, 1, 2, 3, 9);
  }

  /** An emptied mailbox that waits gives its chunk up and goes back to the shared empty one. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void emptiedMailbox_thatWaits_holdsNoChunk_andWorksAfterwards() {
    Mailbox m = mailboxOf(Thread.currentThread());
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 50; i++) {
        m.offer(i);
      }
      assertThat(m.chunks()).isEqualTo(chunksFor(50));
      assertThat(takeAll(m)).isEqualTo(range(0, 50));
      assertThat(m.take(TimeUnit.MICROSECONDS.toNanos(100))).as("times out").isNull();
      assertThat(m.chunks()).as("round %d: no chunk once it waited empty", round).isZero();
      assertThat(m.size()).isZero();
    }
    // a tombstone left at the end does not keep the chunk either
    m.offer("a");
    m.offer("b");
    m.next(0);
    m.next(0);
    assertThat(m.extractAndRewind()).isEqualTo("b");
    assertThat(m.take(0)).isEqualTo("a");
    assertThat(m.next(TimeUnit.MICROSECONDS.toNanos(100))).isNull();
    assertThat(m.chunks()).isZero();
    m.offer("c");
    assertThat(takeAll(m)).containsExactly("c");
    assertThat(Mailbox.emptyStubUntouched()).isTrue();
  }

  /**
   * A big chunk's fields sit in three classes so that the JVM, which lays a superclass's fields
   * out before a subclass's, puts 64 bytes between what producers write on every send and what
   * the owner writes on every take (false sharing; see the notes); a small chunk has no pad. A
   * field added to the wrong class, or a pad made smaller, fails here.
   */
  @Test
  void chunkLayout_bigChunks_producerFields_thenA64BytePad_thenOwnerFields() {
    assertThat(instanceFields(Mailbox.ChunkProducerSide.class))
        .containsExactlyInAnyOrder("slots", "claimed", "next");
    assertThat(instanceFields(Mailbox.Chunk.class)).isEmpty();
    assertThat(Mailbox.ChunkPad.class.getSuperclass()).isEqualTo(Mailbox.Chunk.class);
    int padBytes = 0;
    for (Field f : Mailbox.ChunkPad.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        assertThat(f.getType()).as("pad field %s", f.getName()).isEqualTo(long.class);
        padBytes += Long.BYTES;
      }
    }
    assertThat(padBytes).as("bytes of padding").isGreaterThanOrEqualTo(64);
    assertThat(Mailbox.BigChunk.class.getSuperclass()).isEqualTo(Mailbox.ChunkPad.class);
    assertThat(instanceFields(Mailbox.BigChunk.class))
        .containsExactlyInAnyOrder("ownerSlots", "taken", "dead");
    assertThat(Mailbox.SmallChunk.class.getSuperclass()).isEqualTo(Mailbox.Chunk.class);
    assertThat(instanceFields(Mailbox.SmallChunk.class))
        .containsExactlyInAnyOrder("taken", "dead");

    for (int length = 1; length <= Mailbox.MAX_CHUNK; length *= 2) {
      Mailbox.Chunk c = Mailbox.Chunk.of(length, "first");
      assertThat(c).as("%d slots", length).isInstanceOf(length >= Mailbox.Chunk.PADDED_FROM
          ? Mailbox.BigChunk.class : Mailbox.SmallChunk.class);
      assertThat(c.ownerSlots()).as("one array, two references").isSameAs(c.slots);
      assertThat(c.ownerSlots()[0]).isEqualTo("first");
      assertThat(c.taken()).isZero();
    }
    assertThat(Mailbox.Chunk.of(Mailbox.FIRST_CHUNK, null))
        .as("a ring's chunks are small").isInstanceOf(Mailbox.SmallChunk.class);
    assertThat(Mailbox.Chunk.of(Mailbox.MAX_CHUNK, null))
        .as("a stream's chunks are big").isInstanceOf(Mailbox.BigChunk.class);
  }

  private static List<String> instanceFields(Class<?> type) {
    List<String> names = new ArrayList<>();
    for (Field f : type.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        names.add(f.getName());
      }
    }
    return names;
  }

  // ------------------------------------------------------------------ model

  /** One operation, applied to the mailbox and to the model. */
  sealed interface Op {}

  record Offer(int count) implements Op {}

  record Next() implements Op {}

  record Rewind() implements Op {}

  record Extract() implements Op {}

  record Take() implements Op {}

  record TakeWaiting() implements Op {}

  record TakeMatching(int residue) implements Op {}

  record Size() implements Op {}

  @Provide
  Arbitrary<List<Op>> ops() {
    @SuppressWarnings("unchecked")
    Arbitrary<Op> op = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between(1, 3).map(n -> (Op) new Offer(n))),
        Tuple.of(1, Arbitraries.integers().between(20, 150).map(n -> (Op) new Offer(n))),
        Tuple.of(8, Arbitraries.just((Op) new Next())),
        Tuple.of(1, Arbitraries.just((Op) new Rewind())),
        Tuple.of(3, Arbitraries.just((Op) new Extract())),
        Tuple.of(3, Arbitraries.just((Op) new Take())),
        Tuple.of(1, Arbitraries.just((Op) new TakeWaiting())),
        Tuple.of(2, Arbitraries.integers().between(0, 4).map(r -> (Op) new TakeMatching(r))),
        Tuple.of(1, Arbitraries.just((Op) new Size())));
    return op.list().ofMinSize(1).ofMaxSize(300);
  }

  /**
   * The mailbox behaves like a list plus a cursor index (-1 when rewound), whatever the
   * sequence of operations, across chunk boundaries, tombstones and returns to empty.
   */
  @Property(tries = 300)
  void mailbox_behavesLikeAListWithACursor(@ForAll("ops") List<Op> ops) {
    Mailbox m = mailboxOf(Thread.currentThread());
    List<Integer> model = new ArrayList<>();
    int cursor = -1;
    int nextValue = 0;
    for (Op op : ops) {
      switch (op) {
        case Offer o -> {
          for (int k = 0; k < o.count(); k++) {
            assertThat(m.offer(nextValue)).isTrue();
            model.add(nextValue++);
          }
        }
        case Next n -> {
          Object got = m.next(0);
          if (cursor + 1 < model.size()) {
            cursor++;
            assertThat(got).as("%s", op).isEqualTo(model.get(cursor));
          } else {
            assertThat(got).as("%s at the end", op).isNull();
          }
        }
        case Rewind r -> {
          m.rewind();
          cursor = -1;
        }
        case Extract e -> {
          Object got = m.extractAndRewind();
          if (cursor < 0) {
            assertThat(got).isNull();
          } else {
            assertThat(got).isEqualTo(model.remove(cursor));
          }
          cursor = -1;
        }
        case Take t -> {
          Object got = m.take(0);
          if (model.isEmpty()) {
            assertThat(got).isNull();
          } else {
            assertThat(got).isEqualTo(model.remove(0));
            cursor = -1;
          }
        }
        case TakeWaiting t -> {
          Object got = m.take(TimeUnit.MICROSECONDS.toNanos(10));
          if (model.isEmpty()) {
            assertThat(got).isNull();
            assertThat(m.chunks()).as("empty after a wait: no chunk").isZero();
          } else {
            assertThat(got).isEqualTo(model.remove(0));
            cursor = -1;
          }
        }
        case TakeMatching t -> {
          Object got = m.takeMatching(x -> (Integer) x % 5 == t.residue(), 0);
          Integer expected = model.stream().filter(x -> x % 5 == t.residue()).findFirst()
              .orElse(null);
          assertThat(got).isEqualTo(expected);
          if (expected != null) {
            model.remove(expected);
          }
          cursor = -1;
        }
        case Size s -> assertThat(m.size()).isEqualTo(model.size());
      }
    }
    assertThat(m.size()).isEqualTo(model.size());
    m.rewind();
    List<Object> walked = new ArrayList<>();
    for (Object v; (v = m.next(0)) != null; ) {
      walked.add(v);
    }
    assertThat(walked).isEqualTo(new ArrayList<Object>(model));
    assertThat(takeAll(m)).isEqualTo(new ArrayList<Object>(model));
  }

  // ------------------------------------------------------------------ many producers

  /**
   * Four producers cross many chunk boundaries while the owner takes, takes selectively (one
   * producer's messages first) and waits whenever it runs dry (so the mailbox keeps returning
   * to empty under the producers): every message arrives once, each producer's in order.
   * Bounded: a fixed count, and at most ~10 s of rounds.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void manyProducers_acrossChunksAndResets_noLossNoDuplicate_perSenderFifo() throws Exception {
    int producers = 4;
    int perProducer = 30_000;
    long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (int round = 0; round < 20 && System.nanoTime() - stopAt < 0; round++) {
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<Mailbox> made = new CompletableFuture<>();
      CompletableFuture<int[]> result = new CompletableFuture<>();
      int total = producers * perProducer;
      int selectiveEvery = 3 + round % 5;
      Thread owner = Thread.ofPlatform().start(() -> {
        try {
          Mailbox m = mailboxOf(Thread.currentThread());
          made.complete(m);
          go.countDown();
          int[] lastSeen = new int[producers];
          java.util.Arrays.fill(lastSeen, -1);
          int received = 0;
          while (received < total) {
            Object v;
            if (received % selectiveEvery == 0) {
              int wanted = received % producers;
              v = m.takeMatching(x -> (Integer) x / perProducer == wanted, 0);
              if (v == null) {
                v = m.take(TimeUnit.SECONDS.toNanos(20));
              }
            } else {
              v = m.take(TimeUnit.SECONDS.toNanos(20));
            }
            if (v == null) {
              throw new AssertionError("no message within 20 s after " + received);
            }
            int p = (Integer) v / perProducer;
            int seq = (Integer) v % perProducer;
            if (seq <= lastSeen[p]) {
              throw new AssertionError("producer " + p + ": " + seq + " after " + lastSeen[p]);
            }
            if (seq != lastSeen[p] + 1) {
              throw new AssertionError("producer " + p + ": " + seq + " but expected "
                  + (lastSeen[p] + 1) + " (lost?)");
            }
            lastSeen[p] = seq;
            received++;
          }
          if (m.take(0) != null) {
            throw new AssertionError("a message beyond the total");
          }
          result.complete(lastSeen);
        } catch (Throwable t) {
          made.completeExceptionally(t);
          result.completeExceptionally(t);
        }
      });
      Mailbox m = made.get(20, TimeUnit.SECONDS);
      List<Thread> senders = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        senders.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < perProducer; i++) {
            m.offer(producer * perProducer + i);
            if (i % 1000 == 999) {
              Thread.yield(); // let the owner run dry now and then
            }
          }
        }));
      }
      int[] last = result.get(60, TimeUnit.SECONDS);
      for (Thread s : senders) {
        s.join();
      }
      owner.join();
      for (int p = 0; p < producers; p++) {
        assertThat(last[p]).as("round %d, producer %d: last message", round, p)
            .isEqualTo(perProducer - 1);
      }
    }
    assertThat(Mailbox.emptyStubUntouched()).isTrue();
  }
}
