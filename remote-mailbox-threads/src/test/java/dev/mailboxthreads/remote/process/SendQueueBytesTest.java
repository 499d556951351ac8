package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import dev.mailboxthreads.remote.internal.Frames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A connection's queue is bounded in bytes as well as in messages
 * ({@link ConnectOptions#sendQueueBytes()}), and without batching ZeroMQ's queue behind it holds
 * at most {@link ConnectOptions#ZMQ_MAX_UNBATCHED} frames: large messages to a receiver that is
 * not there fill a few hundred kilobytes, not the 100,000 messages of the high-water mark.
 *
 * <p>Nothing listens on the endpoint, so ZeroMQ's pipe (created at connect time) fills and stays
 * full; the I/O thread takes one more frame from the queue, which the full pipe refuses and it
 * keeps; the queue fills until it holds {@code sendQueueBytes} or more, and the next send times
 * out.
 */
class SendQueueBytesTest {
  private static final int BUDGET = 64 * 1024;
  private static final int PAYLOAD = 4000;
  private static final Duration SEND_TIMEOUT = Duration.ofMillis(200);

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"String, JavaCodec", "byte[], MsgpackCodec"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void send_nobodyListens_queueStopsAtItsByteBound_longBeforeItsMessageCount(String kind) {
    boolean string = kind.startsWith("String");
    ConnectOptions options = ConnectOptions.defaults()
        .withBatching(false)
        .withSendQueueBytes(BUDGET)
        .withSendTimeout(SEND_TIMEOUT)
        .withLinger(Duration.ZERO);
    Object message;
    long weight;
    if (string) {
      message = "s".repeat(PAYLOAD); // queued as it is: its length plus the JavaCodec prefix
      weight = Frames.STRING_PREFIX_BYTES + PAYLOAD;
    } else {
      options = options.withCodec(MsgpackCodec.defaults());
      message = new byte[PAYLOAD]; // queued encoded: its frame's length
      weight = options.codec().encode(message, Frames.HEADER_BYTES).length;
    }
    assertThat(options.sendHighWaterMark()).isEqualTo(100_000);
    try (RemoteContext context = RemoteContext.create()) {
      RemoteThread remote = context.connect(options, "ipc://" + dir.resolve("nobody"));
      int accepted = 0;
      boolean timedOut = false;
      while (accepted < 20_000) { // bounded: the queues hold about 4,096 + 17 of them
        try {
          send(remote, message);
          accepted++;
        } catch (SendTimeoutException e) {
          timedOut = true;
          break;
        }
      }
      ConnectionStats stats = remote.stats();
      System.out.printf("send-queue-bytes %s: %d accepted, then a send timed out: %s%n", kind,
          accepted, stats);
      assertThat(timedOut).as("a send timed out, after %d accepted", accepted).isTrue();
      assertThat(stats.sent()).as("ZeroMQ's pipe holds at most ZMQ_MAX_UNBATCHED frames")
          .isEqualTo(ConnectOptions.ZMQ_MAX_UNBATCHED);
      assertThat(stats.queued()).isEqualTo(accepted - stats.sent());
      long inQueue = stats.queued() - 1; // the I/O thread holds the one the pipe refused
      assertThat(stats.queuedBytes()).as("the weight of what waits in the queue")
          .isEqualTo(inQueue * weight);
      assertThat(stats.queuedBytes()).as("the queue stopped once it held the byte bound")
          .isGreaterThanOrEqualTo(BUDGET)
          .isLessThan(BUDGET + weight);
      assertThat(stats.timedOut()).isEqualTo(1);
    }
  }

  /** A message larger than the whole byte bound is still taken, alone, when the queue is empty. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void send_messageLargerThanTheByteBound_takenIntoAnEmptyQueue() {
    int hwm = 10; // ZeroMQ's pipe: 10 frames; the queue: 10 messages
    ConnectOptions options = ConnectOptions.defaults()
        .withBatching(false)
        .withSendHighWaterMark(hwm)
        .withSendQueueBytes(100)
        .withSendTimeout(SEND_TIMEOUT)
        .withLinger(Duration.ZERO);
    String big = "b".repeat(10_000);
    try (RemoteContext context = RemoteContext.create()) {
      RemoteThread remote = context.connect(options, "ipc://" + dir.resolve("nobody"));
      int accepted = 0;
      try {
        while (accepted < 100) {
          send(remote, big);
          accepted++;
        }
      } catch (SendTimeoutException expected) {
        // the queue holds one, over its byte bound
      }
      ConnectionStats stats = remote.stats();
      System.out.printf("send-queue-bytes, one large message: %d accepted, %s%n", accepted, stats);
      // hwm into ZeroMQ's pipe, one taken by the I/O thread and refused by the full pipe, one
      // into the empty queue although it weighs 100 times the bound
      assertThat(accepted).isEqualTo(hwm + 2);
      assertThat(stats.sent()).isEqualTo(hwm);
      assertThat(stats.queued()).isEqualTo(2);
      assertThat(stats.queuedBytes()).isEqualTo(Frames.STRING_PREFIX_BYTES + 10_000);
    }
  }

  @Test
  void options_byteBound_defaultsTo16MiB_refusesLessThanOneByteSayingWhatToGive() {
    assertThat(ConnectOptions.defaults().sendQueueBytes()).isEqualTo(16L << 20);
    assertThat(ConnectOptions.defaults().withSendQueueBytes(1).sendQueueBytes()).isEqualTo(1);
    assertThat(ConnectOptions.defaults().withSendQueueBytes(5).withSendTimeout(Duration.ZERO)
        .withCodec(MsgpackCodec.defaults()).sendQueueBytes())
        .as("kept by the other with-methods").isEqualTo(5);
    assertThatThrownBy(() -> ConnectOptions.defaults().withSendQueueBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sendQueueBytes < 1: 0")
        .hasMessageContaining("16 MiB");
  }
}
