package dev.mailboxthreads.remote.process;

import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.ConnectionStats;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.SendTimeoutException;
import dev.mailboxthreads.remote.internal.Frames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The byte bound of a connection's queue, with messages of random sizes and a random bound:
 * nobody listens, so ZeroMQ's pipe fills (300 lone frames), then the queue, until a send times
 * out. What the queue then holds is exactly the newest messages the I/O thread has not taken,
 * and it stopped at the bound: it holds the bound or more, and held less before the last message
 * it took.
 */
class SendQueueBytesPropertyTest {
  private static final int HWM = 300; // ZeroMQ's pipe: 300 frames; the queue: 300 messages

  @Property(tries = 12)
  void queueStopsAtTheByteBound_whateverTheSizes(
      @ForAll @LongRange(min = 1, max = 64 * 1024) long bound,
      @ForAll @IntRange(min = 300, max = 8_000) int largest,
      @ForAll long seed) throws Exception {
    Random random = new Random(seed);
    Path dir = Files.createTempDirectory("send-queue-bytes");
    ConnectOptions options = ConnectOptions.defaults()
        .withBatching(false)
        .withSendHighWaterMark(HWM)
        .withSendQueueBytes(bound)
        .withSendTimeout(Duration.ofMillis(50))
        .withLinger(Duration.ZERO);
    List<Long> weights = new ArrayList<>();
    try (RemoteContext context = RemoteContext.create()) {
      RemoteThread remote = context.connect(options, "ipc://" + dir.resolve("nobody"));
      // at least 300 chars each, so 300 of them cannot fit in 64 KiB: the bytes bind first
      while (weights.size() < 2 * HWM + 300) { // bounded
        int chars = 300 + random.nextInt(largest - 300 + 1);
        try {
          send(remote, "w".repeat(chars));
        } catch (SendTimeoutException full) {
          break;
        }
        weights.add((long) Frames.STRING_PREFIX_BYTES + chars);
      }
      ConnectionStats stats = remote.stats();
      assertThat(stats.timedOut()).as("a send timed out after %d", weights.size()).isEqualTo(1);
      assertThat(stats.sent()).as("ZeroMQ's pipe").isEqualTo(HWM);
      assertThat(stats.queued()).isEqualTo(weights.size() - HWM);
      // the queue: every message after the one the I/O thread holds (refused by the full pipe)
      long queued = weights.subList(HWM + 1, weights.size()).stream()
          .mapToLong(Long::longValue).sum();
      assertThat(stats.queuedBytes()).isEqualTo(queued);
      long last = weights.get(weights.size() - 1);
      assertThat(stats.queuedBytes()).as("full: at the bound or past it").isGreaterThanOrEqualTo(
          bound);
      assertThat(stats.queuedBytes() - last).as("the last one was taken below the bound")
          .isLessThan(bound);
    } finally {
      Files.deleteIfExists(dir.resolve("nobody"));
      Files.deleteIfExists(dir);
    }
  }
}
