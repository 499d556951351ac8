package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static dev.mailboxthreads.remote.interop.InteropSupport.assertDecoded;
import static dev.mailboxthreads.remote.interop.InteropSupport.listOf;
import static dev.mailboxthreads.remote.interop.InteropSupport.mapOf;
import static dev.mailboxthreads.remote.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublicationStats;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Python process (pyzmq on the C libzmq, msgpack) sends to a Java published thread with the
 * interop codec, over tcp and over ipc: every MessagePack type arrives as the documented Java
 * type; garbage and wrong headers are dropped and counted, and the publication goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PythonToJavaTest {
  private static final int MAX_MESSAGE_BYTES = 4096;
  private static final PublishOptions OPTIONS = PublishOptions.defaults()
      .withCodec(MsgpackCodec.defaults())
      .withMaxMessageBytes(MAX_MESSAGE_BYTES);

  /** What interop_peer.py's SAMPLES decode to, in order, then its float 32. */
  private static final List<Object> EXPECTED = listOf(
      true,
      false,
      0L,
      -1L,
      Long.MAX_VALUE,
      Long.MIN_VALUE,
      new BigInteger("18446744073709551615"),
      1.5d,
      Double.POSITIVE_INFINITY,
      "carrot",
      "h\u00e9llo \u2713 \uD834\uDD1E",
      "",
      new byte[] {0, 1, (byte) 0xFF},
      listOf(1L, "two", null, 3.25d, listOf(), mapOf()),
      listOf(1L, 2L),
      mapOf("name", "egg", "count", 2L,
          "nested", mapOf("list", listOf(listOf(true), mapOf("deep", null)))),
      mapOf(1L, "one", -2L, "minus two"),
      Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
      0.25d);

  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
  }

  private String endpoint(String transport) {
    return transport.equals("tcp") ? "tcp://127.0.0.1:*" : "ipc://" + dir.resolve("java.sock");
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ipc"})
  void pythonPush_everyType_arrivesAsTheDocumentedJavaValues(String transport) throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, endpoint(transport));
      try (ChildJvm python = peer("push", pub.endpoints().get(0))) {
        python.awaitLine(l -> l.equals("SENT " + EXPECTED.size()), WAIT);
        assertThat(python.awaitExit(WAIT)).as("python exit status").isZero();

        for (int i = 0; i < EXPECTED.size(); i++) {
          Object got = receive(WAIT);
          assertDecoded(got, EXPECTED.get(i));
        }
      }
      PublicationStats stats = pub.stats();
      assertThat(stats.received()).isEqualTo(EXPECTED.size());
      assertThat(stats.delivered()).isEqualTo(EXPECTED.size());
      assertThat(stats.droppedTotal()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ipc"})
  void pythonGarbageAndWrongHeaders_droppedCountedByReason_publicationGoesOn(String transport)
      throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, endpoint(transport));
      Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);
      int sent;
      try (ChildJvm python =
          peer("garbage", pub.endpoints().get(0), Integer.toString(MAX_MESSAGE_BYTES))) {
        String last = python.awaitLine(l -> l.startsWith("SENT "), WAIT);
        sent = Integer.parseInt(last.substring("SENT ".length()));
        for (String line : python.lines()) {
          if (line.startsWith("EXPECT ")) {
            String[] words = line.split(" ");
            expected.put(DropReason.valueOf(words[1]), Long.parseLong(words[2]));
          }
        }
        assertThat(python.awaitExit(WAIT)).as("python exit status").isZero();
      }

      assertThat(receive(WAIT)).as("the good message after the garbage").isEqualTo("still alive");
      assertThat(expected.keySet()).as("the peer sends every kind of bad frame")
          .contains(DropReason.MALFORMED_FRAME, DropReason.UNKNOWN_CODEC,
              DropReason.UNDECODABLE, DropReason.TOO_LARGE);
      long bad = expected.values().stream().mapToLong(Long::longValue).sum();
      Awaitility.await().atMost(WAIT).until(() -> pub.stats().received() == sent);
      PublicationStats stats = pub.stats();
      assertThat(stats.delivered()).isEqualTo(1);
      assertThat(stats.droppedTotal()).isEqualTo(bad);
      for (DropReason reason : DropReason.values()) {
        assertThat(stats.dropped(reason)).as("dropped as " + reason)
            .isEqualTo(expected.getOrDefault(reason, 0L));
      }
      assertThat(receive(java.time.Duration.ZERO, "nothing else")).isEqualTo("nothing else");
    }
  }
}
