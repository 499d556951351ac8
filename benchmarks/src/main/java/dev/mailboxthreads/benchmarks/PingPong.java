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
 * 1:1 ping-pong, in round trips per second: two threads, each with an inbox; the pinger sends
 * a message to the ponger and waits for it to come back, {@link #ROUND_TRIPS} times per
 * operation. Every hand-off finds the receiver parked (or about to park), so this measures
 * wake-up latency: send, unpark, the receiver being scheduled, and its next park.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PingPong {
  /** Round trips per operation. */
  static final int ROUND_TRIPS = 4096;

  /** Platform or virtual threads for both sides. */
  @Param({"PLATFORM", "VIRTUAL"})
  public ThreadKind threads;

  /** Who carries the messages. */
  @Param({"MAILBOX", "LINKED_BLOCKING_QUEUE", "LINKED_TRANSFER_QUEUE", "JCTOOLS_MPSC_PARK"})
  public Contestant contestant;

  private final Workers workers = new Workers();
  private final Semaphore go = new Semaphore(0);
  private final Semaphore done = new Semaphore(0);
  private volatile boolean stopping;
  private Inbox pingerInbox;
  private Inbox pongerInbox;

  /** Starts both sides. */
  @Setup(Level.Trial)
  public void start() {
    Thread pinger = workers.add(contestant, threads, "pinger", this::ping);
    Thread ponger = workers.add(contestant, threads, "ponger", this::pong);
    pingerInbox = contestant.inboxOf(pinger);
    pongerInbox = contestant.inboxOf(ponger);
    workers.startAll();
  }

  private void ping() throws InterruptedException {
    Inbox mine = pingerInbox;
    Inbox other = pongerInbox;
    Message ball = Message.POOL[0];
    for (;;) {
      go.acquire();
      if (stopping) {
        return;
      }
      for (int i = 0; i < ROUND_TRIPS; i++) {
        other.send(ball);
        if (mine.receive() != ball) {
          throw new IllegalStateException("wrong ball");
        }
      }
      done.release();
    }
  }

  private void pong() throws InterruptedException {
    Inbox mine = pongerInbox;
    Inbox other = pingerInbox;
    for (;;) {
      Object m = mine.receive();
      if (m == Workers.STOP) {
        return;
      }
      other.send(m);
    }
  }

  /**
   * {@link #ROUND_TRIPS} round trips.
   *
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(ROUND_TRIPS)
  public void roundTrips() throws InterruptedException {
    go.release();
    workers.await(done);
  }

  /**
   * Stops and joins both sides.
   *
   * @throws InterruptedException if interrupted
   */
  @TearDown(Level.Trial)
  public void stop() throws InterruptedException {
    stopping = true;
    go.release();
    pongerInbox.send(Workers.STOP);
    workers.joinAll();
  }
}
