package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static dev.mailboxthreads.remote.TestCodecs.MARKING_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever frames a peer sends, the publication keeps running and its counters add up:
 * received = delivered + dropped, and every message sent is received. One publication serves
 * all tries; each try ends with a marker message, which must arrive.
 *
 * <p>jqwik does not honour JUnit's {@code @Timeout}; every wait here is bounded instead (the
 * marker poll and the counter await, 10 s each).
 */
class BadInputPropertyTest {
  private static final String STOP = "stop (local)";
  private static final AtomicLong MARKERS = new AtomicLong();

  private static RemoteContext context;
  private static Publication publication;
  private static BadInputTest.RawPush push;
  private static Thread receiver;
  /** What the publication delivered, in order; filled by `receiver`. */
  private static final BlockingQueue<Object> DELIVERED = new LinkedBlockingQueue<>();

  @BeforeContainer
  static void publish() {
    receiver = start(() -> {
      for (Object m; !STOP.equals(m = receive()); ) {
        DELIVERED.add(m);
      }
    });
    context = RemoteContext.create();
    publication = context.publish(receiver, BadInputTest.OPTIONS, "tcp://127.0.0.1:*");
    push = new BadInputTest.RawPush(publication.endpoints().get(0));
  }

  @AfterContainer
  static void close() throws InterruptedException {
    push.close();
    context.close();
    send(receiver, STOP);
    receiver.join();
  }

  @Property(tries = 200)
  void anyFrames_neverStopThePublication_countsAddUp(
      @ForAll("messages") List<List<byte[]>> messages) throws InterruptedException {
    PublicationStats before = publication.stats();
    String marker = "marker " + MARKERS.incrementAndGet();

    for (List<byte[]> message : messages) {
      push.send(message);
    }
    push.send(List.of(TestCodecs.frame(MARKING_ID, marker)));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Object m; !marker.equals(m = DELIVERED.poll(
        Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)); ) {
      assertThat(m).as("the marker of this try arrives: the publication is running")
          .isNotNull();
    }
    BadInputTest.eventually().untilAsserted(() -> {
      PublicationStats after = publication.stats();
      assertThat(after.received() - before.received()).isEqualTo(messages.size() + 1);
      assertThat(after.received()).isEqualTo(after.delivered() + after.droppedTotal());
    });
  }

  @Provide
  Arbitrary<List<List<byte[]>>> messages() {
    Arbitrary<byte[]> frame = Arbitraries.frequencyOf(
        Tuple.of(3, randomBytes()),
        Tuple.of(4, headerThenRandom()),
        Tuple.of(3, markedPayload()),
        Tuple.of(1, tooLarge()));
    Arbitrary<List<byte[]>> message = Arbitraries.frequencyOf(
        Tuple.of(5, frame.list().ofSize(1)),
        Tuple.of(1, frame.list().ofMinSize(2).ofMaxSize(4)));
    return message.list().ofMaxSize(20);
  }

  private static Arbitrary<byte[]> randomBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
  }

  /** A header that is right or nearly right, then random bytes. */
  private static Arbitrary<byte[]> headerThenRandom() {
    return Combinators.combine(
        Arbitraries.of(0x6D, 0x6D, 0x6D, 0x00, 0xFF),
        Arbitraries.of(0x62, 0x62, 0x62, 0x6D),
        Arbitraries.of(1, 1, 1, 0, 2, 255),
        Arbitraries.of(MARKING_ID, MARKING_ID, 1, 0, 255),
        Arbitraries.of(0, 0, 0, 1, 2, 0x80, 0xFF),
        randomBytes())
        .as(TestCodecs::frame);
  }

  /**
   * Frames the test codec fails on in each way it can, including an {@link OutOfMemoryError}
   * from decode (a crafted length that asks for a huge array), which the loop drops as
   * UNDECODABLE (BadInputTest's
   * codecThrowsOutOfMemoryError_droppedAsUndecodable_nextGoodOneDelivered).
   */
  private static Arbitrary<byte[]> markedPayload() {
    return Combinators.combine(
        Arbitraries.of(TestCodecs.UNDECODABLE, TestCodecs.FORBIDDEN, TestCodecs.DECODES_TO_NULL,
            TestCodecs.DECODE_CRASH, TestCodecs.STACK_OVERFLOW, TestCodecs.OUT_OF_MEMORY,
            "fine "),
        Arbitraries.strings().ofMaxLength(20))
        .as((mark, rest) -> TestCodecs.frame(MARKING_ID, mark + rest));
  }

  private static Arbitrary<byte[]> tooLarge() {
    return Arbitraries.integers()
        .between(BadInputTest.MAX_MESSAGE_BYTES + 1, BadInputTest.MAX_MESSAGE_BYTES * 4)
        .map(n -> TestCodecs.frame(MARKING_ID, "x".repeat(n - 5)));
  }
}
