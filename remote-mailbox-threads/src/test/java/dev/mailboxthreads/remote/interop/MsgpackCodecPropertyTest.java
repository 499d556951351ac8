package dev.mailboxthreads.remote.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.MsgpackCodec;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The interop codec on generated input: every value of the decoded domain survives a round trip
 * unchanged, and no bytes whatsoever make {@code decode} throw anything but an {@code
 * UNDECODABLE} {@link CodecException}.
 */
class MsgpackCodecPropertyTest {
  private static final MsgpackCodec CODEC = MsgpackCodec.defaults();

  @Provide
  Arbitrary<Object> decodedValues() {
    return value(3);
  }

  /** Values as decoding produces them: Long, Double, String, byte[], Boolean, Instant, lists, maps. */
  private static Arbitrary<Object> value(int depth) {
    Arbitrary<Object> scalar = Arbitraries.oneOf(
        Arbitraries.longs().map(Object.class::cast),
        Arbitraries.doubles().map(Object.class::cast),
        Arbitraries.strings().ofMaxLength(40).map(Object.class::cast),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Object.class::cast),
        Arbitraries.of(true, false).map(Object.class::cast),
        Arbitraries.bigIntegers().between(BigInteger.ONE.shiftLeft(63),
            BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE)).map(Object.class::cast),
        Arbitraries.longs().between(-(1L << 40), 1L << 40)
            .flatMap(s -> Arbitraries.integers().between(0, 999_999_999)
                .map(n -> (Object) Instant.ofEpochSecond(s, n))));
    if (depth == 0) {
      return scalar;
    }
    Arbitrary<Object> element = Arbitraries.oneOf(scalar, value(depth - 1)).injectNull(0.1);
    Arbitrary<Object> list = element.list().ofMaxSize(5).map(l -> (Object) new ArrayList<>(l));
    Arbitrary<Object> map = Arbitraries.maps(Arbitraries.strings().ofMaxLength(8), element)
        .ofMaxSize(5).map(m -> (Object) new LinkedHashMap<>(m));
    return Arbitraries.oneOf(scalar, list, map);
  }

  @Property(tries = 500)
  void roundTrip_decodedDomain_unchanged(@ForAll("decodedValues") Object value) {
    byte[] bytes = CODEC.encode(value, 0);

    InteropSupport.assertDecoded(CODEC.decode(bytes, 0, bytes.length), value);
  }

  @Property(tries = 2000)
  void decode_randomBytes_onlyUndecodable(@ForAll @Size(max = 64) byte[] payload) {
    Throwable thrown = catchThrowable(() -> assertThat(CODEC.decode(payload, 0, payload.length))
        .isNotNull());

    if (thrown != null) {
      assertThat(thrown).isExactlyInstanceOf(CodecException.class);
      assertThat(((CodecException) thrown).reason()).isEqualTo(DropReason.UNDECODABLE);
    }
  }

  @Property(tries = 1000)
  void decode_validPayloadWithOneByteChanged_onlyUndecodable(
      @ForAll("decodedValues") Object value, @ForAll @IntRange(max = 1000) int position,
      @ForAll byte replacement) {
    byte[] bytes = CODEC.encode(List.of(value, Map.of("k", value)), 0);
    bytes[position % bytes.length] = replacement;

    Throwable thrown = catchThrowable(() -> CODEC.decode(bytes, 0, bytes.length));

    if (thrown != null) {
      assertThat(thrown).isExactlyInstanceOf(CodecException.class);
      assertThat(((CodecException) thrown).reason()).isEqualTo(DropReason.UNDECODABLE);
    }
  }
}
