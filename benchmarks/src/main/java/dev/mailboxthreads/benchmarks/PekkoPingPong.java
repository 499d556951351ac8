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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Pekko peer of {@link PingPong}: two classic actors tell one ball back and forth, {@link
 * PingPong#ROUND_TRIPS} round trips per operation, in round trips per second. Pekko's default
 * dispatcher and mailboxes; the JMH thread starts a batch with a tell to the pinger and waits
 * for the pinger to release it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PekkoPingPong {
  private static final Object GO = "go";

  private final Workers workers = new Workers();
  private final Semaphore done = new Semaphore(0);
  private ActorSystem system;
  private ActorRef pinger;

  /** Sends the ball to the ponger and counts it back, {@link PingPong#ROUND_TRIPS} times. */
  static final class Pinger extends AbstractActor {
    private final ActorRef ponger;
    private final Semaphore done;
    private final Message ball = Message.POOL[0];
    private int left;

    Pinger(ActorRef ponger, Semaphore done) {
      this.ponger = ponger;
      this.done = done;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .matchEquals(GO, g -> {
            left = PingPong.ROUND_TRIPS;
            ponger.tell(ball, getSelf());
          })
          .match(Message.class, m -> {
            if (m != ball) {
              throw new IllegalStateException("wrong ball");
            }
            if (--left == 0) {
              done.release();
            } else {
              ponger.tell(ball, getSelf());
            }
          })
          .build();
    }
  }

  /** Sends every message back to its sender. */
  static final class Ponger extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> getSender().tell(m, getSelf())).build();
    }
  }

  /** Starts the system and both actors. */
  @Setup(Level.Trial)
  public void start() {
    system = PekkoSystems.local("pingpong");
    ActorRef ponger = system.actorOf(Props.create(Ponger.class, Ponger::new), "ponger");
    Semaphore batchDone = done;
    pinger = system.actorOf(Props.create(Pinger.class, () -> new Pinger(ponger, batchDone)),
        "pinger");
  }

  /**
   * {@link PingPong#ROUND_TRIPS} round trips.
   *
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(PingPong.ROUND_TRIPS)
  public void roundTrips() throws InterruptedException {
    pinger.tell(GO, ActorRef.noSender());
    workers.await(done);
  }

  /** Terminates the system. */
  @TearDown(Level.Trial)
  public void stop() {
    PekkoSystems.terminate(system);
  }
}
