package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.interop.InteropSupport.assertDecoded;
import static dev.mailboxthreads.remote.interop.InteropSupport.listOf;
import static dev.mailboxthreads.remote.interop.InteropSupport.mapOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The interop codec on its own: the bytes it writes (checked against the MessagePack spec), the
 * Java types it decodes to, what it refuses to encode and what it drops on decoding.
 */
class MsgpackCodecTest {
  private static final MsgpackCodec CODEC = MsgpackCodec.defaults();
  private static final HexFormat HEX = HexFormat.of();

  enum Color { RED, GREEN }

  record Order(String item, int qty, Color color, List<Double> prices) {}

  record Wrapper(Object value) {}

  private static String encodeHex(Object message) {
    return HEX.formatHex(CODEC.encode(message, 0));
  }

  private static Object decodeHex(String hex) {
    byte[] b = HEX.parseHex(hex);
    return CODEC.decode(b, 0, b.length);
  }

  private static Object roundTrip(Object message) {
    byte[] b = CODEC.encode(message, 0);
    return CODEC.decode(b, 0, b.length);
  }

  @Test
  void id_is2() {
    assertThat(CODEC.id()).isEqualTo(2);
    assertThat(CODEC.maxDepth()).isEqualTo(MsgpackCodec.DEFAULT_MAX_DEPTH);
  }

  static Stream<Arguments> specEncodings() {
    return Stream.of(
        Arguments.of(true, "c3"),
        Arguments.of(false, "c2"),
        Arguments.of(0, "00"),
        Arguments.of(127L, "7f"),
        Arguments.of(-1, "ff"),
        Arguments.of(-33, "d0df"),
        Arguments.of((short) 256, "cd0100"),
        Arguments.of((byte) -128, "d080"),
        Arguments.of(Long.MAX_VALUE, "cf7fffffffffffffff"),
        Arguments.of(Long.MIN_VALUE, "d38000000000000000"),
        Arguments.of(new BigInteger("18446744073709551615"), "cfffffffffffffffff"),
        Arguments.of(1.5f, "ca3fc00000"),
        Arguments.of(1.5d, "cb3ff8000000000000"),
        Arguments.of("a", "a161"),
        Arguments.of('\u00df', "a2c39f"),
        Arguments.of("", "a0"),
        Arguments.of(new byte[] {1, 2}, "c4020102"),
        Arguments.of(List.of(1, "a"), "9201a161"),
        Arguments.of(new int[] {1, 2}, "920102"),
        Arguments.of(new boolean[] {true}, "91c3"),
        Arguments.of(new String[] {"a"}, "91a161"),
        Arguments.of(Color.GREEN, "a5475245454e"),
        Arguments.of(mapOf("a", 1), "81a16101"),
        Arguments.of(new Wrapper(null), "81a576616c7565c0"),
        Arguments.of(Instant.ofEpochSecond(1), "d6ff00000001"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("specEncodings")
  void encode_eachType_bytesAsTheMessagePackSpecSays(Object message, String hex) {
    assertThat(encodeHex(message)).isEqualTo(hex);
  }

  @Test
  void encode_headroom_leftAsZeroBytesBeforeThePayload() {
    byte[] b = CODEC.encode("a", 5);

    assertThat(HEX.formatHex(b)).isEqualTo("0000000000a161");
  }

  @Test
  void roundTrip_documentedDecodedTypes() {
    Order order = new Order("egg", 2, Color.GREEN, List.of(1.25, 2.5));
    Map<Object, Object> intKeys = new LinkedHashMap<>();
    intKeys.put(2, "two");
    intKeys.put(1, "one");

    assertDecoded(roundTrip(42), 42L);
    assertDecoded(roundTrip((short) 7), 7L);
    assertDecoded(roundTrip(1.5f), 1.5d);
    assertDecoded(roundTrip(new BigInteger("18446744073709551615")),
        new BigInteger("18446744073709551615"));
    assertDecoded(roundTrip(BigInteger.TEN), 10L);
    assertDecoded(roundTrip('x'), "x");
    assertDecoded(roundTrip(Color.RED), "RED");
    assertDecoded(roundTrip(new byte[] {0, -1}), new byte[] {0, -1});
    assertDecoded(roundTrip(order),
        mapOf("item", "egg", "qty", 2L, "color", "GREEN", "prices", listOf(1.25, 2.5)));
    assertDecoded(roundTrip(intKeys), mapOf(2L, "two", 1L, "one"));
    assertDecoded(roundTrip(new LinkedHashSet<>(List.of("q", "p"))), listOf("q", "p"));
    assertDecoded(roundTrip(new long[] {1, 2}), listOf(1L, 2L));
    assertDecoded(roundTrip(new double[] {0.5}), listOf(0.5));
    assertDecoded(roundTrip(Arrays.asList(null, List.of(), Map.of())),
        listOf(null, listOf(), mapOf()));
    assertDecoded(roundTrip(Instant.ofEpochSecond(1_700_000_000L, 123_456_789)),
        Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
    assertDecoded(roundTrip(Instant.ofEpochSecond(-1, 5)), Instant.ofEpochSecond(-1, 5));
    assertDecoded(roundTrip("h\u00e9llo \u2713 \uD834\uDD1E"), "h\u00e9llo \u2713 \uD834\uDD1E");
    assertDecoded(roundTrip(Double.NaN), Double.NaN);
  }

  @Test
  void decode_mapKeysOfEveryScalarKind_keptWithTheirDecodedTypes() {
    // {true: 1, 2: 2, 1.5: 3, "s": 4}
    Object decoded = decodeHex("84" + "c301" + "0202" + "cb3ff800000000000003" + "a17304");

    assertDecoded(decoded, mapOf(true, 1L, 2L, 2L, 1.5d, 3L, "s", 4L));
  }

  @Test
  void decode_float32_asDouble() {
    assertDecoded(decodeHex("ca3fc00000"), 1.5d);
  }

  @Test
  void decode_listsAndMaps_areModifiable() {
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) roundTrip(List.of(1));
    list.add("more");
    @SuppressWarnings("unchecked")
    Map<Object, Object> map = (Map<Object, Object>) roundTrip(Map.of("a", 1));
    map.put("b", 2);

    assertThat(list).hasSize(2);
    assertThat(map).hasSize(2);
  }

  static Stream<Arguments> unencodable() {
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    Map<Object, Object> duplicate = new LinkedHashMap<>();
    duplicate.put("1", "string key");
    duplicate.put(1, "int key");
    duplicate.put(1L, "long key");
    Map<Object, Object> enumAndName = new LinkedHashMap<>();
    enumAndName.put(Color.RED, 1);
    enumAndName.put("RED", 2);
    Map<Object, Object> nullKey = new LinkedHashMap<>();
    nullKey.put(null, 1);
    return Stream.of(
        Arguments.of(UUID.fromString("00000000-0000-0000-0000-000000000001"),
            "at $, a java.util.UUID"),
        Arguments.of(List.of("ok", mapOf("id", UUID.randomUUID())), "at $[1][\"id\"], a java.util.UUID"),
        Arguments.of(new Order("egg", 1, null, List.of()), null),
        Arguments.of(new Wrapper(new Object()), "at $.value, a java.lang.Object"),
        Arguments.of(new char[] {'a'}, "a char[]: send it as a String"),
        Arguments.of(BigInteger.ONE.shiftLeft(64), "outside MessagePack's integers"),
        Arguments.of(BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE),
            "outside MessagePack's integers"),
        Arguments.of("bad \uD800 surrogate", "unpaired surrogate (\\ud800 at index 4)"),
        Arguments.of(List.of("x", "\uDC00"), "at $[1], a String with an unpaired surrogate"),
        Arguments.of(cycle, "nested deeper than 1000 levels (does it contain itself?)"),
        Arguments.of(duplicate, "two keys that are the same MessagePack value 1"),
        Arguments.of(enumAndName, "two keys that are the same MessagePack value RED"),
        Arguments.of(nullKey, "a map has a null key"),
        Arguments.of(mapOf(List.of(1), "v"), "a map has a key of class"),
        Arguments.of(MailboxThreads.self(), "an Address that cannot travel"),
        Arguments.of(listOf(Thread.currentThread()), "at $[0], a java.lang.Thread"));
  }

  @ParameterizedTest
  @MethodSource("unencodable")
  void encode_unsupportedValue_refusedNamingWhereAndWhat(Object message, String expected) {
    if (expected == null) {
      assertThat(roundTrip(message)).as("a null record component is a nil").isNotNull();
      return;
    }
    // on a thread with room for the codec's 1000 levels whatever the JIT has compiled by then:
    // on the test runner's stack the cycle sometimes overflowed it first (the codec then says
    // "nested too deeply for this thread's stack", a different refusal), in a CI run of session 6
    onBigStack(() -> assertThatThrownBy(() -> CODEC.encode(message, 5))
        .isExactlyInstanceOf(UnencodableMessageException.class)
        .hasMessageStartingWith("MsgpackCodec cannot encode the message: at ")
        .hasMessageContaining(expected));
  }

  /** Runs {@code check} on a platform thread with a 16 MB stack; rethrows what it threw. */
  private static void onBigStack(Runnable check) {
    Throwable[] thrown = new Throwable[1];
    Thread t = Thread.ofPlatform().stackSize(16L << 20).unstarted(() -> {
      try {
        check.run();
      } catch (Throwable e) {
        thrown[0] = e;
      }
    });
    t.start();
    try {
      assertThat(t.join(Duration.ofSeconds(20))).as("the check ended").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    Throwable e = thrown[0]; // read after join: written before the thread ended
    if (e instanceof Error error) {
      throw error;
    }
    if (e instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (e != null) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void remoteSend_unencodableMessage_failsInSendNothingSent_nextMessageDelivered() {
    InteropSupport.drainMailbox();
    try (RemoteContext ctx = RemoteContext.create()) {
      ctx.publish(Thread.currentThread(), PublishOptions.defaults().withCodec(CODEC),
          "inproc://msgpack-send");
      RemoteThread remote = ctx.connect(ConnectOptions.defaults().withCodec(CODEC),
          "inproc://msgpack-send");
      Object bad = mapOf("order", new Wrapper(UUID.randomUUID()));

      assertThatThrownBy(() -> send(remote, bad))
          .isExactlyInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("at $[\"order\"].value, a java.util.UUID");
      send(remote, new Order("egg", 1, Color.RED, List.of()));

      assertDecoded(receive(Duration.ofSeconds(10)),
          mapOf("item", "egg", "qty", 1L, "color", "RED", "prices", listOf()));
      // counted by the connection's I/O thread just after the hand-over to ZeroMQ
      await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(remote.stats().sent()).isEqualTo(1));
    }
  }

  @Test
  void encode_deeperThanMaxDepth_refused_atMaxDepthAccepted() {
    MsgpackCodec codec = MsgpackCodec.withMaxDepth(2);

    assertThat(codec.encode(List.of(List.of(1)), 0)).isNotEmpty();
    assertThatThrownBy(() -> codec.encode(List.of(List.of(List.of(1))), 0))
        .isInstanceOf(UnencodableMessageException.class)
        .hasMessageContaining("at $[0][0], the message is nested deeper than 2 levels");
  }

  @Test
  void withMaxDepth_lessThan1_refused() {
    assertThatThrownBy(() -> MsgpackCodec.withMaxDepth(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDepth < 1: 0");
  }

  static Stream<Arguments> undecodable() {
    return Stream.of(
        Arguments.of("", "the payload is empty"),
        Arguments.of("c1", "not a valid MessagePack value"),
        Arguments.of("9201", "an array of 2 elements is announced, but only 1 byte(s) are left"),
        Arguments.of("92a161", "not a valid MessagePack value"), // truncated after an element
        Arguments.of("a161a162", "2 byte(s) follow the message"),
        Arguments.of("c0", "the message is nil"),
        Arguments.of("ddffffffff", "a length or count of 2^31 or more"),
        Arguments.of("dd7fffffff00", "an array of 2147483647 elements is announced"),
        Arguments.of("df7fffffff00", "a map of 2147483647 entries is announced"),
        Arguments.of("dbffffffff00", "a length or count of 2^31 or more"),
        Arguments.of("db7fffffff616263", "a string of 2147483647 bytes is announced"),
        Arguments.of("c6000000ff00", "a binary of 255 bytes is announced"),
        Arguments.of("a3fffefd", "not valid UTF-8"),
        Arguments.of("d903fffefd", "not valid UTF-8"),
        Arguments.of("da0003fffefd", "not valid UTF-8"),
        Arguments.of("a3616263" + "00", "1 byte(s) follow the message"),
        Arguments.of("d903616263" + "00", "1 byte(s) follow the message"),
        Arguments.of("da0003616263" + "00", "1 byte(s) follow the message"),
        Arguments.of("a36162", "a string of 3 bytes is announced"),
        Arguments.of("d9036162", "a string of 3 bytes is announced"),
        Arguments.of("da00036162", "a string of 3 bytes is announced"),
        Arguments.of("d9", "not a valid MessagePack value"),
        Arguments.of("da00", "not a valid MessagePack value"),
        Arguments.of("81c0c0", "a map key is a MessagePack nil"),
        Arguments.of("8191c001", "a map key is a MessagePack array"),
        Arguments.of("81c40161c0", "a map key is a MessagePack binary"),
        Arguments.of("82a16101a16102", "a map has the key a twice"),
        Arguments.of("d401" + "00", "extension type 1 (an Address) must hold an array"),
        Arguments.of("d50190" + "00", "an Address with 0 endpoints"),
        Arguments.of("d6019101" + "0000", "endpoint 0 of an Address is not a string"),
        Arguments.of("c70901" + "91" + "a7" + HEX.formatHex("tcp://x".getBytes()),
            "an Address that cannot be used"),
        Arguments.of("d42a00", "extension type 42 is not supported"),
        Arguments.of("d5ff0000", "not a valid MessagePack value"), // a 2-byte timestamp
        Arguments.of("91".repeat(1001) + "00", "nested deeper than 1000 levels"));
  }

  @ParameterizedTest(name = "{index}: {1}")
  @MethodSource("undecodable")
  void decode_badPayload_undecodableWithTheReason(String hex, String expected) {
    assertThatThrownBy(() -> decodeHex(hex))
        .isExactlyInstanceOf(CodecException.class)
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(((CodecException) e).reason())
            .isEqualTo(DropReason.UNDECODABLE));
  }

  @ParameterizedTest(name = "{index}: {0} chars")
  @ValueSource(ints = {0, 1, 31, 32, 255, 256, 65_535, 65_536, 70_000})
  void roundTrip_stringsAtEveryHeaderBoundary(int chars) {
    String message = "é".repeat(chars / 2) + "x".repeat(chars % 2);
    byte[] bytes = CODEC.encode(message, 3);

    assertThat(CODEC.decode(bytes, 3, bytes.length - 3)).isEqualTo(message);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @ValueSource(strings = {"d903616263", "da0003616263", "db00000003616263"})
  void decode_stringInALongerHeaderThanNeeded_accepted(String hex) {
    assertThat(decodeHex(hex)).isEqualTo("abc");
  }

  @Test
  void decode_readsOnlyItsSliceOfTheFrame() {
    byte[] frame = HEX.parseHex("ffff" + "a161" + "ffff");

    assertThat(CODEC.decode(frame, 2, 2)).isEqualTo("a");
  }

  @Test
  void decode_sliceOutsideTheFrame_indexOutOfBounds() {
    assertThatThrownBy(() -> CODEC.decode(new byte[2], 1, 5))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void toString_namesIdAndDepth() {
    assertThat(MsgpackCodec.withMaxDepth(7)).hasToString("MsgpackCodec[id=2, maxDepth=7]");
  }
}
