package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.JavaCodec;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** The call envelope in the metadata section, byte by byte as docs/wire-format.md draws it. */
class FramesEnvelopeTest {

  private static byte[] frame(byte[] metadata, byte[] payload) {
    byte[] f = new byte[Frames.headroom(metadata) + payload.length];
    System.arraycopy(payload, 0, f, Frames.headroom(metadata), payload.length);
    Frames.writeHeader(f, 1, metadata);
    return f;
  }

  @Test
  void request_bytesAreThoseOfTheWireFormatPage() {
    byte[] m = Frames.requestMetadata(0x0102030405060708L, List.of("tcp://h:1", "ipc:///x"));
    byte[] f = frame(m, new byte[] {(byte) 0xAA});

    assertThat(HexFormat.of().formatHex(f)).isEqualTo(
        "6d6201" + "01" + "01" // magic, version, codec 1, flags: metadata
            + "0000001f" // metadata length 31
            + "01" + "0102030405060708" // kind request, correlation id
            + "02" // two endpoints
            + "0009" + HexFormat.of().formatHex("tcp://h:1".getBytes())
            + "0008" + HexFormat.of().formatHex("ipc:///x".getBytes())
            + "aa"); // payload
    assertThat(Frames.payloadOffset(f)).isEqualTo(f.length - 1);
    assertThat(Frames.envelope(f))
        .isEqualTo(new Envelope(true, 0x0102030405060708L, List.of("tcp://h:1", "ipc:///x")));
  }

  @Test
  void reply_bytesAreThoseOfTheWireFormatPage() {
    byte[] f = frame(Frames.replyMetadata(-2L), new byte[] {1});

    assertThat(HexFormat.of().formatHex(f))
        .isEqualTo("6d62010101" + "00000009" + "02" + "fffffffffffffffe" + "01");
    assertThat(Frames.envelope(f)).isEqualTo(new Envelope(false, -2L, List.of()));
  }

  @Test
  void noOrEmptyMetadata_noEnvelope() {
    assertThat(Frames.envelope(frame(null, new byte[] {1}))).isNull();
    assertThat(Frames.envelope(frame(new byte[0], new byte[] {1}))).isNull();
  }

  @Test
  void trailingBytesAfterTheEnvelope_ignored() {
    byte[] m = Frames.replyMetadata(7);
    byte[] longer = java.util.Arrays.copyOf(m, m.length + 3);
    assertThat(Frames.envelope(frame(longer, new byte[] {1})))
        .isEqualTo(new Envelope(false, 7, List.of()));
  }

  @Test
  void malformedEnvelopes_illegalArgumentSayingWhat() {
    assertThatThrownBy(() -> Frames.envelope(frame(new byte[] {2, 0, 0}, new byte[0])))
        .hasMessageContaining("too short");
    byte[] unknownKind = Frames.replyMetadata(1);
    unknownKind[0] = 9;
    assertThatThrownBy(() -> Frames.envelope(frame(unknownKind, new byte[0])))
        .hasMessageContaining("unknown call envelope kind 9");
    byte[] noEndpoints = java.util.Arrays.copyOf(Frames.replyMetadata(1), 10);
    noEndpoints[0] = 1;
    assertThatThrownBy(() -> Frames.envelope(frame(noEndpoints, new byte[0])))
        .hasMessageContaining("without reply endpoints");
    byte[] cut = Frames.requestMetadata(1, List.of("tcp://h:1"));
    byte[] shortened = java.util.Arrays.copyOf(cut, cut.length - 1);
    assertThatThrownBy(() -> Frames.envelope(frame(shortened, new byte[0])))
        .hasMessageContaining("past the end");
    byte[] badEndpoint = Frames.requestMetadata(1, List.of("udp://h:1"));
    assertThatThrownBy(() -> Frames.envelope(frame(badEndpoint, new byte[0])))
        .hasMessageContaining("unsupported transport 'udp'");
  }

  @Test
  void requestMetadata_noOrTooManyEndpoints_refused() {
    assertThatThrownBy(() -> Frames.requestMetadata(1, List.of()))
        .hasMessageContaining("1 to 255 endpoints");
    assertThatThrownBy(() -> Frames.requestMetadata(1,
        java.util.Collections.nCopies(256, "tcp://h:1")))
        .hasMessageContaining("1 to 255 endpoints");
  }

  @Property(tries = 200)
  void requestEnvelope_roundTrips(@ForAll long id,
      @ForAll @Size(min = 1, max = 5) List<@StringLength(min = 1, max = 40) String> names) {
    List<String> endpoints = names.stream().map(n -> "inproc://" + n).toList();
    byte[] f = frame(Frames.requestMetadata(id, endpoints), new byte[] {5});
    assertThat(Frames.envelope(f)).isEqualTo(new Envelope(true, id, endpoints));
    assertThat(f[Frames.payloadOffset(f)]).isEqualTo((byte) 5);
  }

  /**
   * A frame inside a larger array (as an inner frame of a batch, read in place) reads as the
   * same frame alone: its payload offset shifted by its start, the same envelope and codec id,
   * and a metadata length is checked against the frame's end, not the array's.
   */
  @Property(tries = 200)
  void frameInsideALargerArray_readsAsTheFrameAlone(@ForAll long id,
      @ForAll @IntRange(min = 0, max = 20) int before, @ForAll @IntRange(min = 0, max = 20) int after,
      @ForAll boolean request, @ForAll @Size(max = 8) byte[] payload) {
    byte[] metadata = request ? Frames.requestMetadata(id, List.of("tcp://h:1"))
        : Frames.replyMetadata(id);
    byte[] f = frame(metadata, payload);
    byte[] buf = new byte[before + f.length + after];
    java.util.Arrays.fill(buf, (byte) 0x7F);
    System.arraycopy(f, 0, buf, before, f.length);

    assertThat(Frames.payloadOffset(buf, before, f.length))
        .isEqualTo(before + Frames.payloadOffset(f));
    assertThat(Frames.envelope(buf, before)).isEqualTo(Frames.envelope(f));
    assertThat(Frames.codecId(buf, before)).isEqualTo(1);
    assertThat(Frames.isBatch(buf, before, f.length)).isFalse();
    // the metadata section claims one byte more than the frame holds: malformed, even though
    // the array goes on
    int claimed = metadata.length + payload.length + 1;
    buf[before + 5] = (byte) (claimed >>> 24);
    buf[before + 6] = (byte) (claimed >>> 16);
    buf[before + 7] = (byte) (claimed >>> 8);
    buf[before + 8] = (byte) claimed;
    assertThat(Frames.payloadOffset(buf, before, f.length)).isEqualTo(-1);
  }

  @Test
  void batchHeaderInsideALargerArray_recognizedWithinItsLength() {
    byte[] buf = {9, 9, 0x6D, 0x62, 1, 0, 2, 9};

    assertThat(Frames.isBatch(buf, 2, 5)).isTrue();
    assertThat(Frames.isBatch(buf, 2, 4)).as("cut short of a header").isFalse();
    assertThat(Frames.isBatch(buf, 1, 5)).isFalse();
  }

  /**
   * Strings the I/O thread encodes into a batch (or a lone frame) come out byte for byte as
   * JavaCodec's encode and the frame header make them, whatever the String: non-ASCII, empty,
   * with an unpaired surrogate.
   */
  @Property(tries = 300)
  void stringEntries_areTheFramesJavaCodecWrites(
      @ForAll @Size(min = 1, max = 6) List<@StringLength(max = 30) String> texts,
      @ForAll @Size(min = 6, max = 6) List<Boolean> asFrames) {
    JavaCodec codec = JavaCodec.defaults();
    int n = texts.size();
    byte[][] entries = new byte[n][];
    boolean[] strings = new boolean[n];
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes(new byte[] {0x6D, 0x62, 1, 0, 2});
    int body = 0;
    for (int i = 0; i < n; i++) {
      String text = texts.get(i);
      byte[] frame = codec.encode(text, Frames.HEADER_BYTES);
      Frames.writeHeader(frame, codec.id());
      strings[i] = !asFrames.get(i);
      entries[i] = strings[i] ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8) : frame;
      expected.writeBytes(new byte[] {(byte) (frame.length >>> 24), (byte) (frame.length >>> 16),
          (byte) (frame.length >>> 8), (byte) frame.length});
      expected.writeBytes(frame);
      body += 4 + frame.length;
      if (strings[i]) {
        assertThat(Frames.stringFrame(entries[i], codec.id())).isEqualTo(frame);
      }
    }

    assertThat(Frames.batch(entries, strings, n, body, codec.id()))
        .isEqualTo(expected.toByteArray());
  }
}
