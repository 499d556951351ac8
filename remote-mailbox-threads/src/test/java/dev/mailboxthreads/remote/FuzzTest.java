package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.codectest.msg.Color;
import dev.mailboxthreads.remote.codectest.msg.Envelope;
import dev.mailboxthreads.remote.codectest.msg.Node;
import dev.mailboxthreads.remote.codectest.msg.Point;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Time-boxed fuzzing of every decoder and of the publication's receive path, with inputs drawn
 * from jqwik arbitraries: random bytes, valid payloads mutated (bit flips, overwritten bytes,
 * cuts, duplicated or inserted spans, splices of two payloads), valid frame headers in front of
 * random or mutated payloads, and multi-frame messages.
 *
 * <p>Each target runs for {@code mbt.fuzz.seconds} seconds (default {@value #DEFAULT_SECONDS},
 * so the four take about half a minute in CI). A longer run:
 *
 * <pre>
 * ./build test -pl remote-mailbox-threads -am -Dtest=FuzzTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dmbt.fuzz.seconds=600
 * </pre>
 *
 * <p>What must hold, for every input: a decoder returns a non-null value or throws {@link
 * CodecException} (never another exception, never an {@code Error}); it takes less than {@value
 * #MAX_DECODE_MILLIS} ms (no hang) and allocates less than {@value #MAX_DECODE_ALLOCATION_MIB} MiB
 * (no unbounded allocation; inputs are at most a few KiB). A publication stays up: after every
 * batch a marker message arrives, and received = delivered + dropped. A failure prints the input
 * in hex, which is the whole reproducer.
 */
class FuzzTest {
  static final int DEFAULT_SECONDS = 8;
  static final long MAX_DECODE_MILLIS = 2_000;
  static final long MAX_DECODE_ALLOCATION_MIB = 32;
  private static final int BATCH = 25;
  private static final int MAX_MESSAGE_BYTES = 64 << 10;
  private static final HexFormat HEX = HexFormat.of();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  static final JavaCodec JAVA = JavaCodec.builder().allowPackage(JavaCodecTest.MSG).build();
  static final MsgpackCodec MSGPACK = MsgpackCodec.defaults();

  private static long budgetNanos() {
    return TimeUnit.SECONDS.toNanos(Long.getLong("mbt.fuzz.seconds", DEFAULT_SECONDS));
  }

  // ------------------------------------------------------------------ inputs

  static List<Object> javaSamples() {
    Node a = new Node("a");
    Node b = new Node("b");
    a.next = b;
    b.next = a;
    a.children.add(b);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("point", new Point(1, 2, "p"));
    map.put("time", Instant.ofEpochSecond(99));
    map.put("number", new BigDecimal("3.14"));
    return List.of("sixteen chars!!!", 42L, new Point(3, 4, "hello"),
        new Envelope("topic", new ArrayList<>(List.of(1, "two", 3.0))),
        new Envelope("nested", new Envelope("in", new HashMap<>(Map.of("k", List.of(1))))),
        a, map, new long[][] {{1, 2}, {3}}, new TreeMap<>(Map.of("x", new int[] {1, 2, 3})),
        List.of(Color.BLUE, Optional.of(UUID.nameUUIDFromBytes(new byte[1]))),
        new ArrayList<>(List.of(new String[] {"a", null, "c"}, new Object[] {1, 'c', 2.5f})));
  }

  static List<Object> msgpackSamples() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("a", 1L);
    map.put("b", List.of("x", true, 2.5));
    map.put("c", Map.of("deep", List.of(List.of(List.of(7L)))));
    return List.of("hello", 42L, -7L, 1.5, true, List.of(1L, "two", 3.0), map,
        new byte[] {1, 2, 3}, Instant.ofEpochSecond(1_700_000_000L, 5));
  }

  static List<byte[]> encodeAll(Codec codec, List<Object> samples) {
    return samples.stream().map(s -> codec.encode(s, 0)).toList();
  }

  /** Random bytes, and mutations and splices of the valid payloads. */
  static Arbitrary<byte[]> payloads(List<byte[]> valid) {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(256);
    Arbitrary<byte[]> base = Arbitraries.of(valid);
    Arbitrary<byte[]> mutated = Combinators.combine(base, Arbitraries.longs(),
        Arbitraries.integers().between(1, 8)).as(FuzzTest::mutate);
    Arbitrary<byte[]> spliced = Combinators.combine(base, base, Arbitraries.longs())
        .as(FuzzTest::splice);
    return Arbitraries.frequencyOf(
        Tuple.of(2, random), Tuple.of(6, mutated), Tuple.of(2, spliced), Tuple.of(1, base));
  }

  /** {@code edits} random edits of {@code payload}, chosen by {@code seed}. */
  static byte[] mutate(byte[] payload, long seed, int edits) {
    java.util.Random r = new java.util.Random(seed);
    byte[] p = payload.clone();
    for (int i = 0; i < edits && p.length > 0; i++) {
      int at = r.nextInt(p.length);
      switch (r.nextInt(6)) {
        case 0 -> p[at] ^= (byte) (1 << r.nextInt(8));
        case 1 -> p[at] = (byte) r.nextInt(256);
        case 2 -> p[at] = (byte) (r.nextBoolean() ? 0xFF : 0x7F); // lengths at their extreme
        case 3 -> p = Arrays.copyOf(p, at); // cut
        case 4 -> { // duplicate a span
          int len = 1 + r.nextInt(Math.min(32, p.length - at));
          byte[] q = new byte[p.length + len];
          System.arraycopy(p, 0, q, 0, at + len);
          System.arraycopy(p, at, q, at + len, p.length - at);
          p = q;
        }
        default -> { // insert random bytes
          byte[] ins = new byte[1 + r.nextInt(8)];
          r.nextBytes(ins);
          byte[] q = new byte[p.length + ins.length];
          System.arraycopy(p, 0, q, 0, at);
          System.arraycopy(ins, 0, q, at, ins.length);
          System.arraycopy(p, at, q, at + ins.length, p.length - at);
          p = q;
        }
      }
    }
    return p;
  }

  static byte[] splice(byte[] a, byte[] b, long seed) {
    java.util.Random r = new java.util.Random(seed);
    int cutA = r.nextInt(a.length + 1);
    int cutB = r.nextInt(b.length + 1);
    byte[] s = Arrays.copyOf(a, cutA + b.length - cutB);
    System.arraycopy(b, cutB, s, cutA, b.length - cutB);
    return s;
  }

  /** Frames for a publication of {@code codecId}: headers right, nearly right, or random. */
  static Arbitrary<List<byte[]>> messages(int codecId, List<byte[]> valid) {
    Arbitrary<byte[]> payload = payloads(valid);
    Arbitrary<byte[]> rightHeader =
        payload.map(p -> TestCodecs.frame(0x6D, 0x62, 1, codecId, 0, p));
    Arbitrary<byte[]> nearlyRightHeader = Combinators.combine(
        Arbitraries.of(0x6D, 0x6D, 0x6D, 0x00),
        Arbitraries.of(0x62, 0x62, 0x6D),
        Arbitraries.of(1, 1, 0, 2, 255),
        Arbitraries.of(codecId, codecId, 1, 2, 0, 255),
        Arbitraries.of(0, 1, 1, 2, 0x80, 0xFF), // 1: metadata (a call envelope) follows
        payload)
        .as(TestCodecs::frame);
    Arbitrary<byte[]> framed = Arbitraries.frequencyOf(
        Tuple.of(7, rightHeader), Tuple.of(3, nearlyRightHeader));
    Arbitrary<byte[]> frame = Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
        Tuple.of(8, framed),
        Tuple.of(2, Combinators.combine(framed, Arbitraries.longs(),
            Arbitraries.integers().between(1, 3)).as(FuzzTest::mutate)));
    // batch frames (docs/wire-format.md) of any of the above, some then mutated
    Arbitrary<byte[]> batch = frame.list().ofMinSize(0).ofMaxSize(4).map(FuzzTest::batchOf);
    Arbitrary<byte[]> batches = Arbitraries.frequencyOf(
        Tuple.of(3, batch),
        Tuple.of(1, Combinators.combine(batch, Arbitraries.longs(),
            Arbitraries.integers().between(1, 3)).as(FuzzTest::mutate)));
    return Arbitraries.frequencyOf(
        Tuple.of(6, frame.list().ofSize(1)),
        Tuple.of(1, frame.list().ofMinSize(2).ofMaxSize(4)),
        Tuple.of(1, batches.list().ofSize(1)));
  }

  /** A batch frame of {@code frames}, as docs/wire-format.md draws it. */
  static byte[] batchOf(List<byte[]> frames) {
    return BatchTest.batch(frames.toArray(byte[][]::new));
  }

  // ------------------------------------------------------------------ decoders

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void javaCodec_decode_anyBytes_valueOrCodecException_boundedTimeAndAllocation() {
    fuzzDecoder(JAVA, encodeAll(JAVA, javaSamples()));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void msgpackCodec_decode_anyBytes_valueOrCodecException_boundedTimeAndAllocation() {
    fuzzDecoder(MSGPACK, encodeAll(MSGPACK, msgpackSamples()));
  }

  private static void fuzzDecoder(Codec codec, List<byte[]> valid) {
    long deadline = System.nanoTime() + budgetNanos();
    long tries = 0;
    long values = 0;
    Iterator<byte[]> inputs = payloads(valid).sampleStream().iterator();
    while (System.nanoTime() - deadline < 0) {
      byte[] input = inputs.next();
      tries++;
      long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
      long start = System.nanoTime();
      Object value = null;
      try {
        value = codec.decode(input, 0, input.length);
        assertThat(value).as("decoded %s", HEX.formatHex(input)).isNotNull();
        values++;
      } catch (CodecException e) {
        assertThat(e.reason()).as("reason for %s", HEX.formatHex(input))
            .isIn(DropReason.UNDECODABLE, DropReason.FORBIDDEN_CLASS);
      } catch (Throwable t) {
        throw new AssertionError(codec + " threw " + t + " on " + HEX.formatHex(input), t);
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
      assertThat(millis).as("milliseconds to decode %s", HEX.formatHex(input))
          .isLessThan(MAX_DECODE_MILLIS);
      assertThat(allocated).as("bytes allocated decoding %s", HEX.formatHex(input))
          .isLessThan(MAX_DECODE_ALLOCATION_MIB << 20);
    }
    System.out.printf("fuzz %s: %d inputs, %d decoded to a value, the rest refused%n",
        codec, tries, values);
    assertThat(tries).as("inputs tried").isPositive();
    byte[] ok = valid.get(0);
    assertThat(codec.decode(ok, 0, ok.length)).as("the codec still decodes").isNotNull();
  }

  // ------------------------------------------------------------------ receive path

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void publication_javaCodec_anyFrames_staysUpAndCountsAddUp() throws Exception {
    fuzzPublication(JAVA, encodeAll(JAVA, javaSamples()));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void publication_msgpackCodec_anyFrames_staysUpAndCountsAddUp() throws Exception {
    fuzzPublication(MSGPACK, encodeAll(MSGPACK, msgpackSamples()));
  }

  /**
   * How many received frames docs/wire-format.md says one ZeroMQ message counts as: 1, or for a
   * batch frame (header 6D 62 01 00 02) one per entry, one for an empty batch, one for an entry
   * that runs past the end (the last one read) and one for 1 to 3 trailing bytes.
   */
  static long framesCounted(List<byte[]> message) {
    byte[] m = message.get(0);
    if (message.size() != 1 || m.length < 5 || m[0] != 0x6D || m[1] != 0x62 || m[2] != 1
        || m[3] != 0 || m[4] != 0x02) {
      return 1;
    }
    if (m.length == 5) {
      return 1;
    }
    long n = 0;
    int p = 5;
    while (p + 4 <= m.length) {
      long len = ((m[p] & 0xFFL) << 24) | ((m[p + 1] & 0xFF) << 16) | ((m[p + 2] & 0xFF) << 8)
          | (m[p + 3] & 0xFF);
      p += 4;
      n++;
      if (len > m.length - p) {
        return n;
      }
      p += (int) len;
    }
    return p == m.length ? n : n + 1;
  }

  private static void fuzzPublication(Codec codec, List<byte[]> valid) throws Exception {
    Object stop = new Object();
    BlockingQueue<Object> delivered = new LinkedBlockingQueue<>();
    Thread receiver = start(() -> {
      for (Object m; (m = receive()) != stop; ) {
        delivered.add(m);
      }
    });
    long tries = 0;
    long batches = 0;
    PublicationStats stats;
    try (RemoteContext context = RemoteContext.create()) {
      Publication publication = context.publish(receiver,
          PublishOptions.defaults().withCodec(codec).withMaxMessageBytes(MAX_MESSAGE_BYTES),
          "tcp://127.0.0.1:*");
      try (BadInputTest.RawPush push = new BadInputTest.RawPush(publication.endpoints().get(0))) {
        Iterator<List<byte[]>> inputs = messages(codec.id(), valid).sampleStream().iterator();
        long deadline = System.nanoTime() + budgetNanos();
        while (System.nanoTime() - deadline < 0) {
          long receivedBefore = publication.stats().received();
          List<List<byte[]>> batch = new ArrayList<>();
          long expected = 1; // the marker
          for (int i = 0; i < BATCH; i++) {
            List<byte[]> message = inputs.next();
            batch.add(message);
            expected += framesCounted(message);
            push.send(message);
          }
          long expectedReceived = expected;
          tries += BATCH;
          String marker = "marker " + ++batches;
          byte[] markerFrame = codec.encode(marker, 5);
          System.arraycopy(TestCodecs.frame(codec.id(), ""), 0, markerFrame, 0, 5);
          push.send(List.of(markerFrame));
          awaitMarker(delivered, marker, batch);
          BadInputTest.eventually().untilAsserted(() -> {
            PublicationStats s = publication.stats();
            assertThat(s.received() - receivedBefore).isEqualTo(expectedReceived);
            assertThat(s.received()).isEqualTo(s.delivered() + s.droppedTotal());
          });
        }
        stats = publication.stats();
      }
    } finally {
      send(receiver, stop);
      receiver.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(receiver.isAlive()).isFalse();
    System.out.printf("fuzz publication %s: %d messages in %d batches: %s%n",
        codec, tries, batches, stats);
    assertThat(stats.delivered()).as("delivered: at least the markers").isGreaterThanOrEqualTo(
        batches);
    assertThat(stats.droppedTotal()).as("dropped: the fuzzer does produce bad frames")
        .isPositive();
  }

  private static void awaitMarker(BlockingQueue<Object> delivered, String marker,
      List<List<byte[]>> batch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Object m; !marker.equals(m = delivered.poll(
        Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)); ) {
      if (m == null) {
        StringBuilder b = new StringBuilder();
        batch.forEach(msg -> b.append(msg.stream().map(HEX::formatHex).toList()).append('\n'));
        throw new AssertionError("the marker " + marker + " did not arrive within 10 s: the"
            + " publication stopped or hangs after this batch:\n" + b);
      }
    }
  }
}
