package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.codectest.msg.Color;
import dev.mailboxthreads.remote.codectest.msg.Envelope;
import dev.mailboxthreads.remote.codectest.msg.Node;
import dev.mailboxthreads.remote.codectest.msg.Point;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Untrusted input: whatever the bytes, {@link JavaCodec#decode} returns a message or throws a
 * {@link CodecException}; never another exception, never an {@code Error}.
 */
class JavaCodecPropertyTest {
  private static final JavaCodec CODEC = JavaCodecTest.CODEC;

  /** Valid payloads of assorted shapes, the starting points of the mutations. */
  private static final List<byte[]> VALID = validPayloads();

  private static List<byte[]> validPayloads() {
    Node a = new Node("a");
    Node b = new Node("b");
    a.next = b;
    b.next = a;
    a.children.add(b);
    List<Object> selfList = new ArrayList<>();
    selfList.add(selfList);
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("point", new Point(1, 2, "p"));
    map.put("time", Instant.ofEpochSecond(99));
    map.put("number", new BigDecimal("3.14"));
    List<Object> samples =
        List.of(
            "sixteen chars!!!",
            42L,
            new Point(3, 4, "hello"),
            new Envelope("topic", new ArrayList<>(List.of(1, "two", 3.0))),
            new Envelope("nested", new Envelope("inner", new HashMap<>(Map.of("k", List.of(1))))),
            a,
            selfList,
            map,
            new long[][] {{1, 2}, {3}},
            new Object[] {Color.BLUE, Optional.of(UUID.nameUUIDFromBytes(new byte[] {1})), null},
            List.of(Color.RED, "x", 7));
    return samples.stream().map(s -> CODEC.encode(s, 0)).toList();
  }

  /**
   * Decodes, and lets anything other than a message or a CodecException fail the property;
   * counts the outcomes (jqwik prints them).
   */
  private static void decodesOrThrowsCodecException(byte[] bytes) {
    String outcome;
    try {
      assertThat(CODEC.decode(bytes, 0, bytes.length)).isNotNull();
      outcome = "decoded";
    } catch (CodecException e) {
      assertThat(e.reason()).isIn(DropReason.UNDECODABLE, DropReason.FORBIDDEN_CLASS);
      assertThat(e.getMessage()).isNotBlank();
      outcome = e.reason().name();
    }
    Statistics.label("outcome").collect(outcome);
  }

  @Property(tries = 2000)
  void decode_randomBytes_returnsOrThrowsCodecException(@ForAll @Size(max = 300) byte[] bytes) {
    decodesOrThrowsCodecException(bytes);
  }

  /** Random bytes behind a valid header byte, so that decoding gets past the first check. */
  @Property(tries = 2000)
  void decode_validHeaderThenRandomBytes_returnsOrThrowsCodecException(
      @ForAll @Size(max = 300) byte[] tail) {
    byte[] bytes = new byte[tail.length + 1];
    bytes[0] = VALID.get(0)[0];
    System.arraycopy(tail, 0, bytes, 1, tail.length);
    decodesOrThrowsCodecException(bytes);
  }

  /** Also checks that the mutations reach past the first bytes: some still decode. */
  @Property(tries = 4000)
  void decode_mutatedValidPayload_returnsOrThrowsCodecException(
      @ForAll("mutatedPayloads") byte[] bytes) {
    decodesOrThrowsCodecException(bytes);
    Statistics.label("outcome").coverage(c -> {
      c.check("decoded").count(n -> n > 0);
      c.check("UNDECODABLE").count(n -> n > 0);
    });
  }

  @Property(tries = 300)
  void roundTrip_randomStringsAndLists_equal(
      @ForAll String text, @ForAll @Size(max = 50) List<Long> numbers) {
    List<Object> message = new ArrayList<>(numbers);
    message.add(text);
    byte[] frame = CODEC.encode(message, 3);
    assertThat(CODEC.decode(frame, 3, frame.length - 3)).isEqualTo(message);
  }

  @Provide
  Arbitrary<byte[]> mutatedPayloads() {
    Arbitrary<byte[]> valid = Arbitraries.of(VALID);
    return valid.flatMap(
        payload -> mutation(payload.length).list().ofMinSize(1).ofMaxSize(4).map(ms -> {
          byte[] bytes = payload;
          for (Mutation m : ms) {
            bytes = m.apply(bytes);
          }
          return bytes;
        }));
  }

  /** One change to a payload; positions are taken modulo the current length. */
  private interface Mutation {
    byte[] apply(byte[] bytes);
  }

  private static Arbitrary<Mutation> mutation(int length) {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, Math.max(0, length + 8));
    Arbitrary<Integer> bit = Arbitraries.integers().between(0, 7);
    Arbitrary<Byte> value = Arbitraries.bytes();
    Arbitrary<Mutation> flipBit =
        Combinators.combine(position, bit).as((p, k) -> bytes -> {
          if (bytes.length == 0) {
            return bytes;
          }
          byte[] out = bytes.clone();
          out[p % out.length] ^= (byte) (1 << k);
          return out;
        });
    Arbitrary<Mutation> setByte =
        Combinators.combine(position, value).as((p, v) -> bytes -> {
          if (bytes.length == 0) {
            return bytes;
          }
          byte[] out = bytes.clone();
          out[p % out.length] = v;
          return out;
        });
    Arbitrary<Mutation> truncate =
        position.map(p -> bytes -> Arrays.copyOf(bytes, bytes.length == 0 ? 0 : p % bytes.length));
    Arbitrary<Mutation> insert =
        Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMaxSize(6))
            .as((p, extra) -> bytes -> {
              int at = bytes.length == 0 ? 0 : p % (bytes.length + 1);
              byte[] out = new byte[bytes.length + extra.length];
              System.arraycopy(bytes, 0, out, 0, at);
              System.arraycopy(extra, 0, out, at, extra.length);
              System.arraycopy(bytes, at, out, at + extra.length, bytes.length - at);
              return out;
            });
    Arbitrary<Mutation> delete =
        Combinators.combine(position, Arbitraries.integers().between(1, 6)).as((p, n) -> bytes -> {
          if (bytes.length == 0) {
            return bytes;
          }
          int at = p % bytes.length;
          int cut = Math.min(n, bytes.length - at);
          byte[] out = new byte[bytes.length - cut];
          System.arraycopy(bytes, 0, out, 0, at);
          System.arraycopy(bytes, at + cut, out, at, bytes.length - at - cut);
          return out;
        });
    Arbitrary<Mutation> maxOut =
        position.map(p -> bytes -> {
          if (bytes.length == 0) {
            return bytes;
          }
          byte[] out = bytes.clone();
          out[p % out.length] = (byte) 0xFF; // varints that continue, lengths that grow
          return out;
        });
    return Arbitraries.oneOf(flipBit, setByte, truncate, insert, delete, maxOut);
  }
}
