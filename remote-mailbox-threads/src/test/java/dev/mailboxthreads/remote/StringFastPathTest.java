package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.internal.Frames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * A String sent with {@link JavaCodec} is queued as it is and encoded by the connection's I/O
 * thread straight into the outgoing frame (SenderLoop.offerString). Nothing of that may show:
 * the bytes on the wire are those {@link JavaCodec#encode} and the frame header make, in the
 * order sent among other messages, with and without batches, and {@code maxMessageBytes} is
 * checked exactly as for any message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StringFastPathTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** Strings of every kind JavaCodec meets, and other messages between them. */
  static final List<Object> MESSAGES = List.of(
      "plain ascii",
      "",
      "d\u00e9j\u00e0 vu \u20ac \uD83D\uDE00", // 2-, 3- and 4-byte UTF-8
      List.of("not", "a", "string"),
      "unpaired \uD800 surrogate", // UTF-8 writes '?' for it, as String.getBytes does
      42L,
      "x".repeat(70_000), // larger than a batch: goes alone
      "last");

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** What JavaCodec and the header make of {@code message}: the frame it must travel as. */
  private static byte[] expectedFrame(Object message) {
    byte[] frame = JavaCodec.defaults().encode(message, Frames.HEADER_BYTES);
    Frames.writeHeader(frame, JavaCodec.defaults().id());
    return frame;
  }

  @Test
  void withBatching_framesOnTheWireAreJavaCodecs_inOrder_someInBatches() {
    List<byte[]> messages = new ArrayList<>();
    List<byte[]> frames = rawFramesFor(true, messages);

    assertThat(messages.size()).as("ZeroMQ messages: queued frames went in batches")
        .isLessThan(MESSAGES.size());
    assertFramesAreJavaCodecs(frames);
  }

  @Test
  void withoutBatching_eachStringIsALoneJavaCodecFrame() {
    List<byte[]> messages = new ArrayList<>();
    List<byte[]> frames = rawFramesFor(false, messages);

    assertThat(messages).hasSameSizeAs(MESSAGES);
    assertFramesAreJavaCodecs(frames);
  }

  private static void assertFramesAreJavaCodecs(List<byte[]> frames) {
    assertThat(frames).hasSameSizeAs(MESSAGES);
    for (int i = 0; i < MESSAGES.size(); i++) {
      assertThat(frames.get(i)).as("frame %d", i).isEqualTo(expectedFrame(MESSAGES.get(i)));
    }
  }

  /**
   * Sends MESSAGES to an absent peer (so they queue and, with batching, go in batches), then
   * binds a raw PULL socket there; returns the frames, batches unpacked, and fills {@code
   * messages} with the ZeroMQ messages as received. The high-water mark of 256 frames makes
   * ZeroMQ's own pipe, with batching, one message deep (256 / MAX_GROUP): the first message
   * fills it and the rest wait in the connection's queue, which the I/O thread then packs into
   * batches. With ZeroMQ's pipe as deep as the default makes it, the I/O thread would hand each
   * message over as it comes whenever it keeps up with the sender, and batches would depend on
   * timing.
   */
  private static List<byte[]> rawFramesFor(boolean batching, List<byte[]> messages) {
    String endpoint = "tcp://127.0.0.1:" + BatchTest.freePort();
    ConnectOptions options = ConnectOptions.defaults().withBatching(batching)
        .withSendHighWaterMark(256).withLinger(Duration.ofSeconds(2));
    assertThat(options.codec()).isInstanceOf(JavaCodec.class);
    ZMQ.Context raw = ZMQ.context(1);
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(options, endpoint);
      for (Object m : MESSAGES) {
        send(remote, m);
      }
      ZMQ.Socket pull = raw.socket(SocketType.PULL);
      try {
        pull.setLinger(0);
        pull.setReceiveTimeOut((int) WAIT.toMillis());
        assertThat(pull.bind(endpoint)).isTrue();
        List<byte[]> frames = new ArrayList<>();
        while (frames.size() < MESSAGES.size()) {
          byte[] m = pull.recv();
          assertThat(m).as("frame %d of %d arrived", frames.size(), MESSAGES.size()).isNotNull();
          messages.add(m);
          if (m[3] == 0 && m[4] == 0x02) {
            assertThat(batching).as("a batch only with batching on").isTrue();
            int p = 5;
            while (p < m.length) {
              int len = ((m[p] & 0xFF) << 24) | ((m[p + 1] & 0xFF) << 16)
                  | ((m[p + 2] & 0xFF) << 8) | (m[p + 3] & 0xFF);
              frames.add(Arrays.copyOfRange(m, p + 4, p + 4 + len));
              p += 4 + len;
            }
            assertThat(p).as("the batch ends with its last frame").isEqualTo(m.length);
          } else {
            frames.add(m);
          }
        }
        remote.close();
        assertThat(remote.stats().sent()).isEqualTo(MESSAGES.size());
        return frames;
      } finally {
        pull.close();
      }
    } finally {
      raw.term();
    }
  }

  @Test
  void publication_receivesEveryMessage_inOrder() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().get(0))) {
      for (Object m : MESSAGES) {
        send(remote, m);
      }
      for (Object m : MESSAGES) {
        Object expected = m instanceof String s
            ? new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8)
            : m;
        assertThat(receive(WAIT)).isEqualTo(expected);
      }
      // the counter goes up just after the message is in the mailbox
      BadInputTest.eventually().untilAsserted(() ->
          assertThat(pub.stats().delivered()).isEqualTo(MESSAGES.size()));
      assertThat(pub.stats().received()).isEqualTo(MESSAGES.size());
    }
  }

  /**
   * A String goes to the I/O thread only when even 3 bytes a char fits maxMessageBytes; else it
   * is encoded in send, so a String over the limit still fails there, one at it is still sent.
   */
  @Test
  void maxMessageBytes_stringsMeasuredByTheirUtf8_onEitherPath() {
    int max = 64; // header 5, tag 1: 58 payload bytes
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(ConnectOptions.defaults().withMaxMessageBytes(max),
            pub.endpoints().get(0))) {
      String euros = "\u20ac".repeat(19); // 57 bytes, and 3 x 19 + 6 = 63 fits: the I/O thread
      String ascii = "a".repeat(58); // 58 bytes, but 3 x 58 does not fit: encoded in send
      for (String over : List.of(euros + "\u20ac", ascii + "a")) {
        assertThatThrownBy(() -> send(remote, over))
            .isExactlyInstanceOf(UnencodableMessageException.class)
            .hasMessageContaining("maxMessageBytes")
            .hasMessageContaining("(" + max + ")");
      }
      send(remote, euros);
      send(remote, ascii);

      assertThat(receive(WAIT)).isEqualTo(euros);
      assertThat(receive(WAIT)).isEqualTo(ascii);
      BadInputTest.eventually().until(() -> remote.stats().sent() == 2);
    }
  }
}
