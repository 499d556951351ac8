package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.remote.TestCodecs.MARKING_ID;
import static dev.mailboxthreads.remote.TestCodecs.frame;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.BadInputTest.RawPush;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * Batch frames (docs/wire-format.md, "Batch frame"): a publication unpacks them and handles each
 * inner frame as if it had come alone; a bad inner frame is dropped and counted by itself; a
 * connection packs what is queued into batches only when batching is on, keeps order, and keeps
 * its high-water semantics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final PublishOptions OPTIONS = PublishOptions.defaults().withCodec(TestCodecs.marking());

  @BeforeEach
  void emptyMailbox() {
    EndpointTest.drainMailbox();
  }

  /** A batch as docs/wire-format.md draws it, built here independently of the library. */
  static byte[] batch(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x6D, 0x62, 1, 0, 0x02});
    for (byte[] f : frames) {
      out.writeBytes(new byte[] {
          (byte) (f.length >>> 24), (byte) (f.length >>> 16), (byte) (f.length >>> 8),
          (byte) f.length});
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = new byte[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static void assertStats(Publication pub, long received, long delivered,
      Map<DropReason, Long> dropped) {
    BadInputTest.eventually().untilAsserted(() -> {
      PublicationStats stats = pub.stats();
      assertThat(stats.received()).as("received").isEqualTo(received);
      assertThat(stats.delivered()).as("delivered").isEqualTo(delivered);
      for (DropReason reason : DropReason.values()) {
        assertThat(stats.dropped(reason)).as(reason.name())
            .isEqualTo(dropped.getOrDefault(reason, 0L));
      }
    });
  }

  @Test
  void batchWithBadInnerFrames_onlyThoseDropped_countedByReason_restDeliveredInOrder() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
        RawPush push = new RawPush(pub.endpoints().get(0))) {
      byte[] badMagic = frame('x', 0x62, 1, MARKING_ID, 0, "bad".getBytes(StandardCharsets.UTF_8));
      push.send(List.of(batch(frame(MARKING_ID, "a"), frame(77, "unknown codec"), badMagic,
          frame(MARKING_ID, "b"))));
      push.send(List.of(frame(MARKING_ID, "c")));

      assertThat(receive(WAIT)).isEqualTo("a");
      assertThat(receive(WAIT)).isEqualTo("b");
      assertThat(receive(WAIT)).isEqualTo("c");
      assertStats(pub, 5, 3,
          Map.of(DropReason.UNKNOWN_CODEC, 1L, DropReason.MALFORMED_FRAME, 1L));
    }
  }

  @Test
  void batchInsideABatch_droppedAndCounted_framesAroundItDelivered() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
        RawPush push = new RawPush(pub.endpoints().get(0))) {
      push.send(List.of(batch(frame(MARKING_ID, "a"), batch(frame(MARKING_ID, "nested")),
          frame(MARKING_ID, "b"))));
      push.send(List.of(frame(MARKING_ID, "c")));

      assertThat(receive(WAIT)).isEqualTo("a");
      assertThat(receive(WAIT)).isEqualTo("b");
      assertThat(receive(WAIT)).as("the nested frame is never delivered").isEqualTo("c");
      assertStats(pub, 4, 3, Map.of(DropReason.MALFORMED_FRAME, 1L));
    }
  }

  @Test
  void emptyBatch_droppedAsMalformed_nextDelivered() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
        RawPush push = new RawPush(pub.endpoints().get(0))) {
      push.send(List.of(batch()));
      push.send(List.of(frame(MARKING_ID, "good")));

      assertThat(receive(WAIT)).isEqualTo("good");
      assertStats(pub, 2, 1, Map.of(DropReason.MALFORMED_FRAME, 1L));
    }
  }

  @Test
  void batchWhoseLengthRunsPastItsEnd_orWithTrailingBytes_droppedAsMalformed() {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), OPTIONS, "tcp://127.0.0.1:*");
        RawPush push = new RawPush(pub.endpoints().get(0))) {
      byte[] pastEnd = concat(batch(frame(MARKING_ID, "a")), new byte[] {0, 0, 0x10, 0, 1, 2});
      byte[] trailing = concat(batch(frame(MARKING_ID, "b")), new byte[] {0, 0});
      push.send(List.of(pastEnd));
      push.send(List.of(trailing));
      push.send(List.of(frame(MARKING_ID, "c")));

      assertThat(receive(WAIT)).isEqualTo("a");
      assertThat(receive(WAIT)).isEqualTo("b");
      assertThat(receive(WAIT)).isEqualTo("c");
      assertStats(pub, 5, 3, Map.of(DropReason.MALFORMED_FRAME, 2L));
    }
  }

  /** The hex example of docs/wire-format.md, as printed. */
  static byte[] printedExample() throws java.io.IOException {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/wire-format.md"));
    String marker = "<!-- BatchTest: hex -->\n```\n";
    int start = doc.indexOf(marker);
    assertThat(start).as("the marker in docs/wire-format.md").isNotNegative();
    start += marker.length();
    String hex = doc.substring(start, doc.indexOf("```", start)).replaceAll("\\s+", "");
    return java.util.HexFormat.of().parseHex(hex);
  }

  @Test
  void printedExample_isWhatTheLibraryWrites_andDeliversBothMessages() throws Exception {
    byte[] printed = printedExample();
    byte[] hi = {0x6D, 0x62, 1, 2, 0, (byte) 0xA2, 'h', 'i'};
    byte[] yo = {0x6D, 0x62, 1, 2, 0, (byte) 0xA2, 'y', 'o'};
    assertThat(printed).hasSize(29).isEqualTo(batch(hi, yo))
        .isEqualTo(dev.mailboxthreads.remote.internal.Frames.batch(new byte[][] {hi, yo}, 2, 24));
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(),
            PublishOptions.defaults().withCodec(MsgpackCodec.defaults()), "tcp://127.0.0.1:*");
        RawPush push = new RawPush(pub.endpoints().get(0))) {
      push.send(List.of(printed));

      assertThat(receive(WAIT)).isEqualTo("hi");
      assertThat(receive(WAIT)).isEqualTo("yo");
      assertStats(pub, 2, 2, Map.of());
    }
  }

  @Test
  void manySenderThreads_orderPerSenderKeptAcrossBatches() throws Exception {
    int threads = 8;
    int perThread = 2_000;
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
        RemoteThread remote = ctx.connect(pub.endpoints().toArray(String[]::new))) {
      List<Thread> senders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        senders.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < perThread; i++) {
            send(remote, id + ":" + i);
          }
        }));
      }
      Map<Integer, Integer> next = new HashMap<>();
      for (int n = 0; n < threads * perThread; n++) {
        Object m = receive(WAIT);
        assertThat(m).as("message %d", n).isInstanceOf(String.class);
        String[] parts = ((String) m).split(":");
        int id = Integer.parseInt(parts[0]);
        int seq = Integer.parseInt(parts[1]);
        assertThat(seq).as("sender %d", id).isEqualTo(next.getOrDefault(id, 0));
        next.put(id, seq + 1);
      }
      for (Thread s : senders) {
        s.join();
      }
      assertThat(next).hasSize(threads).allSatisfy((id, n) -> assertThat(n).isEqualTo(perThread));
      assertStats(pub, threads * perThread, threads * perThread, Map.of());
    }
  }

  @Test
  void optionsBatchByDefaultOnlyWithTheJavaCodec() {
    assertThat(ConnectOptions.defaults().batches()).isTrue();
    assertThat(ConnectOptions.defaults().withCodec(MsgpackCodec.defaults()).batches()).isFalse();
    assertThat(ConnectOptions.defaults().withCodec(TestCodecs.marking()).batches()).isFalse();
    assertThat(ConnectOptions.defaults().withCodec(MsgpackCodec.defaults()).withBatching(true)
        .batches()).isTrue();
    assertThat(ConnectOptions.defaults().withBatching(false).batches()).isFalse();
    assertThat(ConnectOptions.defaults().withBatching(false).withCodec(JavaCodec.defaults())
        .batches()).as("an explicit choice survives a change of codec").isFalse();
  }

  /**
   * Frames queued while the peer is absent go, once it is there, as batches when batching is on
   * and each as a plain frame when it is off; a raw PULL socket sees which, and the frames keep
   * their order either way.
   */
  @Test
  void queuedFrames_goAsBatchesOnlyWhenBatchingIsOn() {
    assertThat(rawMessagesFor(300, true)).as("ZeroMQ messages with batching").isLessThan(300);
    assertThat(rawMessagesFor(300, false)).as("ZeroMQ messages without").isEqualTo(300);
  }

  /** Sends n frames to an absent peer, then binds a raw PULL there; returns its message count. */
  private static int rawMessagesFor(int n, boolean batching) {
    String endpoint = "tcp://127.0.0.1:" + freePort();
    ConnectOptions options = ConnectOptions.defaults().withCodec(TestCodecs.marking())
        .withSendHighWaterMark(512).withBatching(batching).withLinger(Duration.ofSeconds(2));
    ZMQ.Context raw = ZMQ.context(1);
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(options, endpoint);
      for (int i = 0; i < n; i++) {
        send(remote, "m-" + i);
      }
      ZMQ.Socket pull = raw.socket(SocketType.PULL);
      try {
        pull.setLinger(0);
        pull.setReceiveTimeOut((int) WAIT.toMillis());
        assertThat(pull.bind(endpoint)).isTrue();
        int messages = 0;
        int frames = 0;
        while (frames < n) {
          byte[] m = pull.recv();
          assertThat(m).as("frame %d of %d arrived", frames, n).isNotNull();
          messages++;
          List<byte[]> inner = new ArrayList<>();
          if (m[4] == 0x02) {
            assertThat(batching).as("a batch only with batching on").isTrue();
            assertThat(m[3]).as("a batch's codec id").isZero();
            int p = 5;
            while (p < m.length) {
              int len = ((m[p] & 0xFF) << 24) | ((m[p + 1] & 0xFF) << 16)
                  | ((m[p + 2] & 0xFF) << 8) | (m[p + 3] & 0xFF);
              inner.add(java.util.Arrays.copyOfRange(m, p + 4, p + 4 + len));
              p += 4 + len;
            }
            assertThat(p).as("the batch ends with its last frame").isEqualTo(m.length);
          } else {
            inner.add(m);
          }
          for (byte[] f : inner) {
            assertThat(f[3] & 0xFF).isEqualTo(MARKING_ID);
            assertThat(new String(f, 5, f.length - 5, StandardCharsets.UTF_8))
                .isEqualTo("m-" + frames);
            frames++;
          }
        }
        remote.close();
        return messages;
      } finally {
        pull.close();
      }
    } finally {
      raw.term();
    }
  }

  /**
   * ZMQ_SNDHWM counts ZeroMQ messages and a batch is one, so the connection scales it down; a
   * peer that takes nothing still makes sends time out after the send timeout, after about
   * twice the high-water mark, as without batches.
   */
  @Test
  void scaledHighWaterMark_absentPeer_sendsStillTimeOutAfterTheSendTimeout() {
    int hwm = 512;
    Duration sendTimeout = Duration.ofMillis(200);
    ConnectOptions options = ConnectOptions.defaults().withSendHighWaterMark(hwm)
        .withSendTimeout(sendTimeout).withLinger(Duration.ofMillis(200));
    assertThat(options.batches()).isTrue();
    try (RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(options, "tcp://127.0.0.1:" + freePort());
      int accepted = 0;
      long failedAfterNanos = -1;
      while (accepted < 10 * hwm) {
        long t0 = System.nanoTime();
        try {
          send(remote, "m-" + accepted);
          accepted++;
        } catch (SendTimeoutException e) {
          failedAfterNanos = System.nanoTime() - t0;
          break;
        }
      }
      assertThat(failedAfterNanos).as("a send timed out").isPositive();
      assertThat(failedAfterNanos).isGreaterThanOrEqualTo(sendTimeout.toNanos());
      // the queue holds hwm frames, ZeroMQ hwm / 256 = 2 messages of at most 256 frames each
      assertThat(accepted).as("sends accepted before the first timeout")
          .isBetween(hwm, 2 * hwm);
      assertThat(remote.stats().timedOut()).isEqualTo(1);
      remote.close();
      assertThat(remote.stats().discarded()).as("nothing could be delivered: all counted")
          .isEqualTo(accepted);
    }
  }

  /** A tcp port that was free a moment ago. */
  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
