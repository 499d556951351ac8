package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mailboxthreads.remote.codectest.msg.Empty;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoding limits of both codecs: what a payload may make the receiver allocate. Each test
 * measures the bytes the decoding thread allocated ({@code ThreadMXBean}), since "refused" is not
 * enough: a decoder that allocates 2 GB and then fails has already done the harm.
 */
class DecodingLimitsTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /**
   * What the calling thread allocated while {@code decode} ran, and what it threw. It runs once
   * unmeasured first, so that what the first failure costs once per JVM (loading and
   * initializing exception and formatting classes) is not counted.
   */
  record Outcome(long allocatedBytes, long millis, CodecException refusal) {}

  static Outcome measure(Supplier<Object> decode) {
    catchThrowableOfType(CodecException.class, decode::get);
    long before = THREADS.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    CodecException e = catchThrowableOfType(CodecException.class, decode::get);
    long millis = (System.nanoTime() - start) / 1_000_000;
    return new Outcome(THREADS.getCurrentThreadAllocatedBytes() - before, millis, e);
  }

  @Nested
  class Java {
    private static final String MSG = JavaCodecTest.MSG;

    @Test
    void maxGraphBytes_payloadOverIt_undecodableBeforeTheAllocation() {
      JavaCodec strict = JavaCodec.builder().allowPackage(MSG).maxGraphBytes(1 << 20).build();
      byte[] payload = JavaCodec.defaults().encode(new int[1_000_000], 0); // 4 MB of ints

      Outcome o = measure(() -> strict.decode(payload, 0, payload.length));

      assertThat(o.refusal()).isNotNull();
      assertThat(o.refusal().reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(o.refusal().getMessage())
          .contains("larger than maxGraphBytes 1048576")
          .contains("JavaCodec.builder().maxGraphBytes(...)");
      assertThat(o.allocatedBytes()).as("bytes allocated").isLessThan(1 << 20);
      assertThat((int[]) JavaCodec.defaults().decode(payload, 0, payload.length))
          .as("the default limit lets it through").hasSize(1_000_000);
    }

    @Test
    void maxGraphBytes_isSummedOverTheWholeGraph() {
      // 100 lists of 10,000 elements: each list alone is far under 1 MiB, together they are not
      List<List<Integer>> lists = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        lists.add(new ArrayList<>(IntStream.range(0, 10_000).boxed().toList()));
      }
      byte[] payload = JavaCodec.defaults().encode(lists, 0);
      JavaCodec strict = JavaCodec.builder().maxGraphBytes(1 << 20).build();
      byte[] one = JavaCodec.defaults().encode(lists.get(0), 0);

      assertThat((List<?>) strict.decode(one, 0, one.length)).hasSize(10_000);
      assertThatThrownBy(() -> strict.decode(payload, 0, payload.length))
          .isInstanceOfSatisfying(CodecException.class,
              e -> assertThat(e.reason()).isEqualTo(DropReason.UNDECODABLE))
          .hasMessageContaining("maxGraphBytes");
    }

    /**
     * A list of components-less records, whose count is then raised far beyond the bytes that
     * follow: only {@code maxUnbackedElements} lets such a count through to the allocation.
     */
    static byte[] emptiesAnnouncing(int count) {
      JavaCodec codec = JavaCodec.builder().allowPackage(MSG).build();
      byte[] one = codec.encode(new ArrayList<>(List.of(new Empty())), 0);
      // tag 0, Fory's header, the ArrayList type id, then the count (1) as a varuint32
      assertThat(one[4]).as("the count of the one-element list").isEqualTo((byte) 1);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(one, 0, 4);
      for (int v = count; ; v >>>= 7) {
        if ((v & ~0x7F) == 0) {
          b.write(v);
          break;
        }
        b.write((v & 0x7F) | 0x80);
      }
      b.write(one, 5, one.length - 5);
      return b.toByteArray();
    }

    @Test
    void maxUnbackedElements_countBeyondTheBytesLeft_refusedBeforeAllocatingTheList() {
      byte[] crafted = emptiesAnnouncing(500_000);
      JavaCodec none = JavaCodec.builder().allowPackage(MSG).maxUnbackedElements(0).build();
      JavaCodec lax = JavaCodec.builder().allowPackage(MSG).maxUnbackedElements(1_000_000).build();
      none.warmUp(new ArrayList<>(List.of(new Empty())));
      lax.warmUp(new ArrayList<>(List.of(new Empty())));

      Outcome strict = measure(() -> none.decode(crafted, 0, crafted.length));
      Outcome allowed = measure(() -> lax.decode(crafted, 0, crafted.length));

      assertThat(strict.refusal()).isNotNull();
      assertThat(strict.refusal().reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(strict.allocatedBytes()).as("bytes allocated, refused at the count")
          .isLessThan(256 << 10);
      assertThat(allowed.refusal()).as("refused later, at the missing elements").isNotNull();
      assertThat(allowed.allocatedBytes())
          .as("bytes allocated when the allowance lets the count through: the 500,000 slots")
          .isGreaterThan(2_000_000);
    }

    @Test
    void defaults_countBeyondTheBytesLeftAndTheDefaultAllowance_refusedWithoutAllocating() {
      byte[] crafted = emptiesAnnouncing(Integer.MAX_VALUE);
      JavaCodec codec = JavaCodec.builder().allowPackage(MSG).build();
      codec.warmUp(new ArrayList<>(List.of(new Empty())));

      Outcome o = measure(() -> codec.decode(crafted, 0, crafted.length));

      assertThat(o.refusal()).isNotNull();
      assertThat(o.refusal().reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(o.refusal().getMessage())
          .startsWith("the payload is cut short or announces more than it holds: at offset 9 it"
              + " needs ")
          .contains("are left")
          .doesNotContain("BoundChecker@");
      assertThat(o.allocatedBytes()).isLessThan(256 << 10);
    }

    @Test
    void builder_limitsOutOfRange_rejectedNamingTheValue() {
      assertThatThrownBy(() -> JavaCodec.builder().maxGraphBytes(0))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxGraphBytes <= 0: 0");
      assertThatThrownBy(() -> JavaCodec.builder().maxUnbackedElements(-1))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("maxUnbackedElements < 0: -1");
    }

    @Test
    void toString_namesTheLimits() {
      assertThat(JavaCodec.defaults().toString())
          .contains("maxDepth=1000", "maxGraphBytes=134217728", "maxUnbackedElements=8192");
      assertThat(JavaCodec.builder().maxGraphBytes(5).maxUnbackedElements(6).build().toString())
          .contains("maxGraphBytes=5", "maxUnbackedElements=6");
    }
  }

  @Nested
  class Msgpack {
    private static final HexFormat HEX = HexFormat.of();

    /**
     * A few bytes that announce 2^31-1 array elements, map entries, string or binary bytes: each
     * is refused at the announcement, before anything of that size is allocated.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"dd7fffffff00", "df7fffffff0000", "db7fffffff616263",
        "c67fffffff00", "91dd7fffffff00", "81a161dd7fffffff00"})
    @Timeout(10)
    void decode_smallPayloadClaiming2to31Elements_refusedWithoutAllocatingThem(String hex) {
      byte[] payload = HEX.parseHex(hex);

      Outcome o = measure(() -> MsgpackCodec.defaults().decode(payload, 0, payload.length));

      assertThat(o.refusal()).isNotNull();
      assertThat(o.refusal().reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(o.refusal().getMessage()).contains("2147483647").contains("announced");
      assertThat(o.allocatedBytes()).as("bytes allocated").isLessThan(1 << 20);
      assertThat(o.millis()).as("milliseconds").isLessThan(2_000);
    }

    /**
     * Regression: each of 100 nested arrays announced as many elements as there were bytes left
     * in a 4 MiB payload; the decoder sized every list up front and allocated 1.7 GB before it
     * found the first element missing. Lists are now sized as their elements arrive.
     */
    @Test
    @Timeout(30)
    void decode_nestedArraysEachAnnouncingEveryByteLeft_allocatesInProportionToTheBytes() {
      int size = 4 << 20;
      byte[] payload = new byte[size];
      int at = 0;
      for (int level = 0; level < 100; level++) {
        int left = size - at - 5;
        payload[at++] = (byte) 0xdd;
        for (int shift = 24; shift >= 0; shift -= 8) {
          payload[at++] = (byte) (left >>> shift);
        }
      }
      java.util.Arrays.fill(payload, at, size, (byte) 0xc1); // the never-used byte

      Outcome o = measure(() -> MsgpackCodec.defaults().decode(payload, 0, payload.length));

      assertThat(o.refusal()).isNotNull();
      assertThat(o.refusal().reason()).isEqualTo(DropReason.UNDECODABLE);
      assertThat(o.allocatedBytes()).as("bytes allocated for a 4 MiB payload")
          .isLessThan(size);
    }

    /** A legitimate large array still decodes, whatever the pre-sizing cap. */
    @Test
    void decode_arrayLongerThanThePresizingCap_decodesWhole() {
      List<Integer> ints = Collections.nCopies(100_000, 7);
      byte[] payload = MsgpackCodec.defaults().encode(ints, 0);

      Object back = MsgpackCodec.defaults().decode(payload, 0, payload.length);

      assertThat(back).isEqualTo(Collections.nCopies(100_000, 7L));
    }
  }
}
