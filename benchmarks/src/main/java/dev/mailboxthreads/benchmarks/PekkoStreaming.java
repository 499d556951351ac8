package dev.mailboxthreads.benchmarks;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
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
 * The Pekko peer of {@link Streaming}: {@code producers} -> 1 consumer actor, in messages per
 * second, with the same batch ({@link Streaming#MESSAGES} pre-allocated {@link Message}s per
 * operation), the same producer threads and the same fork and iteration settings.
 *
 * <p>The producers are plain threads of kind {@code threads} calling {@code
 * consumer.tell(m, noSender)}, as code outside an actor sends to one; the consumer is a classic
 * actor with Pekko's default mailbox and dispatcher (a ForkJoinPool, throughput 5), counting
 * messages and releasing the JMH thread after the last of a batch. A lost message leaves its
 * batch incomplete, and the JMH thread's wait fails the run (after 120 s, as in {@link
 * Streaming}); a consumer stopped in the middle of a batch logs it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PekkoStreaming {
  /** Number of producer threads: 1 or 4. */
  @Param({"1", "4"})
  public int producers;

  /** Platform or virtual producer threads. */
  @Param({"PLATFORM", "VIRTUAL"})
  public ThreadKind threads;

  private final Workers workers = new Workers();
  private final Semaphore go = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private volatile boolean stopping;
  private ActorSystem system;
  private ActorRef consumer;

  /** Counts; releases {@code done} after each batch. Runs on the dispatcher. */
  static final class Consumer extends AbstractActor {
    private final Semaphore done;
    private int n;

    Consumer(Semaphore done) {
      this.done = done;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(Message.class, m -> {
            if (++n == Streaming.MESSAGES) {
              n = 0;
              done.release();
            }
          })
          .build();
    }

    @Override
    public void postStop() {
      if (n != 0) {
        throw new IllegalStateException("stopped in the middle of a batch: " + n);
      }
    }
  }

  /** Starts the actor system, the consumer actor and the producers. */
  @Setup(Level.Trial)
  public void start() {
    if (Streaming.MESSAGES % producers != 0) {
      throw new IllegalArgumentException("producers must divide " + Streaming.MESSAGES);
    }
    system = PekkoSystems.local("streaming");
    Semaphore batchDone = done;
    consumer = system.actorOf(Props.create(Consumer.class, () -> new Consumer(batchDone)),
        "consumer");
    int share = Streaming.MESSAGES / producers;
    for (int p = 0; p < producers; p++) {
      int offset = p * 256;
      workers.add(threads, "producer-" + p, () -> produce(share, offset));
    }
    workers.startAll();
  }

  private void produce(int share, int offset) throws InterruptedException {
    ActorRef out = consumer;
    Message[] pool = Message.POOL;
    for (;;) {
      go.acquire();
      if (stopping) {
        return;
      }
      for (int i = 0; i < share; i++) {
        out.tell(pool[(i + offset) & Message.MASK], ActorRef.noSender());
      }
    }
  }

  /**
   * One batch of {@link Streaming#MESSAGES} messages.
   *
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(Streaming.MESSAGES)
  public void stream() throws InterruptedException {
    go.release(producers);
    workers.await(done);
  }

  /**
   * Stops the producers and the actor system.
   *
   * @throws InterruptedException if interrupted
   */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    stopping = true;
    go.release(producers);
    workers.joinAll();
    PekkoSystems.terminate(system);
  }
}
