package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.CodecException;
import dev.mailboxthreads.remote.DropReason;
import dev.mailboxthreads.remote.UnencodableMessageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * The interop codec's String fast paths: a String message written straight into its array is
 * byte for byte what msgpack-core's packer writes; the round-trip check refuses exactly the
 * Strings with an unpaired surrogate; and decoding a str with {@code new String} accepts exactly
 * the bytes a reporting UTF-8 decoder accepts, with the same result.
 */
class MsgpackStringTest {

  /** The packer's bytes for {@code s}, as MsgpackValues wrote every String before. */
  private static byte[] packed(String s, int headroom) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      if (headroom > 0) {
        p.writePayload(new byte[headroom]);
      }
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      p.packRawStringHeader(utf8.length);
      p.writePayload(utf8);
      p.flush();
      return p.toByteArray();
    }
  }

  @Provide
  Arbitrary<String> texts() {
    // lengths around every header change (32, 256, 65,536 bytes), ASCII and not
    Arbitrary<Integer> lengths = Arbitraries.of(0, 1, 31, 32, 33, 63, 64, 65, 255, 256, 257,
        21_845, 65_535, 65_536, 65_537, 100_000);
    Arbitrary<String> unit = Arbitraries.of("a", "é", "€", "\uD83D\uDE00", "\uFFFD");
    return lengths.flatMap(n -> unit.list().ofMinSize(1).ofMaxSize(3)
        .map(units -> {
          StringBuilder b = new StringBuilder();
          int bytes = 0;
          for (int i = 0; bytes < n; i++) {
            String u = units.get(i % units.size());
            b.append(u);
            bytes += u.getBytes(StandardCharsets.UTF_8).length;
          }
          return b.toString();
        }));
  }

  @Property(tries = 100)
  void encodeString_isThePackersBytes(@ForAll("texts") String s,
      @ForAll @IntRange(max = 9) int headroom) throws IOException {
    assertThat(MsgpackValues.encodeString(s, headroom)).isEqualTo(packed(s, headroom));
    assertThat(MsgpackValues.encode(s, headroom, 10)).isEqualTo(packed(s, headroom));
  }

  @Property(tries = 300)
  void encode_refusesExactlyUnpairedSurrogates(
      @ForAll @Size(max = 100) List<@net.jqwik.api.constraints.CharRange(from = '\uD7F0',
          to = '\uE010') Character> chars, @ForAll @IntRange(max = 80) int asciiPrefix) {
    StringBuilder b = new StringBuilder("p".repeat(asciiPrefix)); // long: the round-trip path
    chars.forEach(b::append);
    String s = b.toString();
    int bad = firstUnpaired(s);

    if (bad < 0) {
      assertThat(MsgpackValues.encode(s, 0, 10)).isEqualTo(uncheckedPacked(s));
      assertThat(MsgpackValues.encode(List.of(s), 0, 10)).isNotEmpty();
    } else {
      String expected = "unpaired surrogate (\\u" + Integer.toHexString(s.charAt(bad))
          + " at index " + bad + ")";
      assertThatThrownBy(() -> MsgpackValues.encode(s, 0, 10))
          .isExactlyInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("at $, a String with an " + expected);
      assertThatThrownBy(() -> MsgpackValues.encode(List.of(s), 0, 10))
          .isExactlyInstanceOf(UnencodableMessageException.class)
          .hasMessageContaining("at $[0], a String with an " + expected);
    }
  }

  private static byte[] uncheckedPacked(String s) {
    try {
      return packed(s, 0);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int firstUnpaired(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /** A str of {@code utf8} inside a larger array, as in a frame or a batch. */
  private static Object decodeStr(byte[] utf8) throws IOException {
    byte[] str = packedBytes(utf8);
    byte[] frame = new byte[3 + str.length + 2];
    frame[0] = (byte) 0xC1; // bytes around the value that must not be read
    System.arraycopy(str, 0, frame, 3, str.length);
    frame[frame.length - 1] = (byte) 0xC1;
    return MsgpackValues.decode(frame, 3, str.length, 10);
  }

  private static byte[] packedBytes(byte[] utf8) throws IOException {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packRawStringHeader(utf8.length);
      p.writePayload(utf8);
      p.flush();
      return p.toByteArray();
    }
  }

  private static String strict(byte[] utf8) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(utf8)).toString();
  }

  @Provide
  Arbitrary<byte[]> mostlyUtf8() {
    Arbitrary<byte[]> valid = Arbitraries.strings().ofMaxLength(30)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> interesting = Arbitraries.of(
        new byte[] {(byte) 0xEF, (byte) 0xBF, (byte) 0xBD}, // U+FFFD itself: valid
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded surrogate: not
        new byte[] {(byte) 0xC0, (byte) 0x80}, // overlong NUL: not
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
        new byte[] {(byte) 0xE2, (byte) 0x82}, // cut short
        new byte[] {(byte) 0x80}); // a lone continuation byte
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return Arbitraries.oneOf(valid, interesting, random).list().ofMaxSize(4).map(parts -> {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      parts.forEach(out::writeBytes);
      return out.toByteArray();
    });
  }

  @Property(tries = 2000)
  void decodeStr_acceptsExactlyValidUtf8_asTheStrictDecoderReadsIt(
      @ForAll("mostlyUtf8") byte[] utf8) throws IOException {
    String expected;
    try {
      expected = strict(utf8);
    } catch (CharacterCodingException e) {
      assertThatThrownBy(() -> decodeStr(utf8))
          .isInstanceOfSatisfying(CodecException.class,
              c -> assertThat(c.reason()).isEqualTo(DropReason.UNDECODABLE))
          .hasMessageContaining("not valid UTF-8");
      return;
    }
    assertThat(decodeStr(utf8)).isEqualTo(expected);
  }

  @Test
  void decodeStr_largeAscii_readInPlace() throws IOException {
    byte[] utf8 = "16-byte-payload!".repeat(256).getBytes(StandardCharsets.US_ASCII);

    assertThat(decodeStr(utf8)).isEqualTo(new String(utf8, StandardCharsets.US_ASCII));
  }
}
