package dev.mailboxthreads.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Streaming throughput, {@code producers} -> 1 consumer, in messages per second.
 *
 * <p>One operation is a batch of {@link #MESSAGES} messages: the JMH thread releases the
 * producers, each sends its share of pre-allocated {@link Message}s to the consumer's inbox as
 * fast as it can (unbounded, no flow control), and the consumer counts them and releases the
 * JMH thread after the last one. The producers and the consumer are long-lived threads of kind
 * {@code threads}; the consumer parks whenever its inbox is empty (no contestant spins, except
 * what {@code LinkedTransferQueue.take} does inside). Starting and ending a batch costs two
 * hand-offs through semaphores, under 0.1% of a batch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Streaming {
  /** Messages per operation, shared among the producers. */
  static final int MESSAGES = 1 << 19;

  /** Number of producer threads: 1 or 4. */
  @Param({"1", "4"})
  public int producers;

  /** Platform or virtual threads for producers and consumer. */
  @Param({"PLATFORM", "VIRTUAL"})
  public ThreadKind threads;

  /** Who carries the messages. */
  @Param({"MAILBOX", "LINKED_BLOCKING_QUEUE", "LINKED_TRANSFER_QUEUE", "JCTOOLS_MPSC_PARK"})
  public Contestant contestant;

  private final Workers workers = new Workers();
  private final Semaphore go = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private volatile boolean stopping;
  private Inbox inbox;

  /** Starts the consumer and the producers, which wait for the first batch. */
  @Setup(Level.Trial)
  public void start() {
    if (MESSAGES % producers != 0) {
      throw new IllegalArgumentException("producers must divide " + MESSAGES + ": " + producers);
    }
    Thread consumer = workers.add(contestant, threads, "consumer", this::consume);
    inbox = contestant.inboxOf(consumer);
    int share = MESSAGES / producers;
    for (int p = 0; p < producers; p++) {
      int offset = p * 256;
      workers.add(contestant, threads, "producer-" + p, () -> produce(share, offset));
    }
    workers.startAll();
  }

  private void consume() throws InterruptedException {
    Inbox in = inbox;
    int n = 0;
    for (;;) {
      Object m = in.receive();
      if (m == Workers.STOP) {
        if (n != 0) {
          throw new IllegalStateException("stopped in the middle of a batch: " + n);
        }
        return;
      }
      if (++n == MESSAGES) {
        n = 0;
        done.release();
      }
    }
  }

  private void produce(int share, int offset) throws InterruptedException {
    Inbox out = inbox;
    Message[] pool = Message.POOL;
    for (;;) {
      go.acquire();
      if (stopping) {
        return;
      }
      for (int i = 0; i < share; i++) {
        out.send(pool[(i + offset) & Message.MASK]);
      }
    }
  }

  /**
   * One batch of {@link #MESSAGES} messages.
   *
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public void stream() throws InterruptedException {
    go.release(producers);
    workers.await(done);
  }

  /**
   * Stops and joins every worker.
   *
   * @throws InterruptedException if interrupted
   */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    stopping = true;
    go.release(producers);
    inbox.send(Workers.STOP); // every batch has been consumed: STOP is the last message
    workers.joinAll();
  }
}
