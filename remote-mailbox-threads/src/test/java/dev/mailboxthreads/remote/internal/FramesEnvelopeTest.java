package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
}
