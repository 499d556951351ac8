package dev.mailboxthreads.benchmarks;

import dev.mailboxthreads.remote.MsgpackCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interop codec ({@link MsgpackCodec}) on a String message, in nanoseconds per message:
 * {@code encode} and {@code decode} as they are, against a private copy of how they worked
 * before their String fast paths ({@code packer*}: a char-by-char surrogate scan and
 * msgpack-core's buffer packer to encode; a reporting {@code CharsetDecoder} over a copy of the
 * bytes to decode). Same bytes either way; same run, so the ratio is what counts. Also a small
 * map, through the codec's packer and through msgpack-core's default one (an 8 KiB buffer).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MsgpackStrings {
  /** UTF-8 bytes of the String: ASCII, as RemoteBench's payloads. */
  @Param({"16", "256", "4096"})
  public int bytes;

  private final MsgpackCodec codec = MsgpackCodec.defaults();
  private final java.util.Map<String, Object> map = new java.util.LinkedHashMap<>(
      java.util.Map.of("item", "egg"));
  private String text;
  private byte[] payload;

  /** Builds the String and its encoding. */
  @Setup
  public void setUp() {
    map.put("qty", 2L);
    text = "16-byte-payload!".repeat(bytes / 16);
    payload = codec.encode(text, 0);
    if (!java.util.Arrays.equals(payload, packerEncode())) {
      throw new IllegalStateException("the two encodings differ");
    }
  }

  /** The codec's encode. */
  @Benchmark
  public byte[] encode() {
    return codec.encode(text, 5);
  }

  /** The codec's decode. */
  @Benchmark
  public Object decode() {
    return codec.decode(payload, 0, payload.length);
  }

  /** The encoding as it was: scan, then the buffer packer. */
  @Benchmark
  public byte[] packerEncode() {
    String s = text;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new IllegalArgumentException("unpaired surrogate");
        }
      }
    }
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      p.packRawStringHeader(utf8.length);
      p.writePayload(utf8);
      p.flush();
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A small map, {"item": "egg", "qty": 2}, encoded by the codec (its packer). */
  @Benchmark
  public byte[] codecPackerMap() {
    return codec.encode(map, 5);
  }

  /** The same map with msgpack-core's default buffer packer (8 KiB buffer), as it was. */
  @Benchmark
  public byte[] defaultPackerMap() {
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.writePayload(new byte[5]);
      p.packMapHeader(2);
      p.packString("item");
      p.packString("egg");
      p.packString("qty");
      p.packLong(2L);
      p.flush();
      return p.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The decoding of a str as it was: copy the bytes out, decode them with REPORT. */
  @Benchmark
  public Object strictDecode() throws IOException {
    try (org.msgpack.core.MessageUnpacker u =
        MessagePack.newDefaultUnpacker(payload, 0, payload.length)) {
      int n = u.unpackRawStringHeader();
      byte[] utf8 = u.readPayload(n);
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
