package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.zeromq.ZMQ;

/**
 * The attribution of {@link HandshakeWatch}, on synthetic event sequences: any interleaving of
 * connections that handshake or fail, in the order one JeroMQ I/O thread can report them.
 */
class HandshakeWatchPropertyTest {
  private static final String ENDPOINT = "tcp://127.0.0.1:5555";
  /** Held strongly: a java.util.logging logger is referenced weakly by its manager. */
  private static final Logger LOG = Logger.getLogger("dev.mailboxthreads.remote");
  private static Level previous;

  /** Thousands of synthetic failures would each log a WARNING (one per watch): keep it quiet. */
  @BeforeContainer
  static void quiet() {
    previous = LOG.getLevel();
    LOG.setLevel(Level.SEVERE);
  }

  @AfterContainer
  static void restore() {
    LOG.setLevel(previous);
  }

  /** One connection's events, in its own order. */
  private record Connection(Object channel, boolean handshakes, boolean reportedFailure) {}

  /**
   * Whatever the interleaving: a correct connection is never counted, and once every connection
   * has ended the count is exactly the number that failed.
   */
  @Property(tries = 2000)
  void anyInterleaving_noFalsePositive_exactOnceAllEnded(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int connections) {
    Random random = new Random(seed);
    List<Connection> all = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      int kind = random.nextInt(3); // 0 correct, 1 ends before the handshake, 2 crypto failure
      all.add(new Connection(new Object(), kind != 1, kind == 2));
    }
    List<zmq.ZMQ.Event> events = interleave(all, random);
    AtomicLong failed = new AtomicLong();
    HandshakeWatch watch = new HandshakeWatch("test", failed::incrementAndGet);
    long failing = all.stream().filter(c -> !c.handshakes() || c.reportedFailure()).count();

    long endedUnshaken = 0;
    long reportedSoFar = 0;
    for (zmq.ZMQ.Event event : events) {
      watch.consume(event);
      if (event.event == ZMQ.EVENT_DISCONNECTED && all.stream()
          .anyMatch(c -> c.channel() == event.arg && !c.handshakes())) {
        endedUnshaken++;
      } else if (event.event == zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
        reportedSoFar++;
      }
      assertThat(failed.get()).as("never more than the connections that ended before their"
          + " handshake plus the failures JeroMQ reported, so far")
          .isLessThanOrEqualTo(endedUnshaken + reportedSoFar);
    }

    assertThat(failed.get()).isEqualTo(failing);
  }

  /** All correct, all in their handshakes at once, ending in any order: nothing counted. */
  @Property(tries = 500)
  void correctConnectionsOnly_neverCounted(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 8) int connections) {
    Random random = new Random(seed);
    List<Connection> all = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      all.add(new Connection(new Object(), true, false));
    }
    AtomicLong failed = new AtomicLong();
    HandshakeWatch watch = new HandshakeWatch("test", failed::incrementAndGet);
    for (zmq.ZMQ.Event event : interleave(all, random)) {
      watch.consume(event);
      assertThat(failed.get()).isZero();
    }
  }

  /** One connection: the plain cases, each counted once. */
  @Example
  void singleConnection_eachCase() {
    AtomicLong failed = new AtomicLong();
    HandshakeWatch watch = new HandshakeWatch("test", failed::incrementAndGet);
    Object a = new Object();
    watch.consume(event(ZMQ.EVENT_ACCEPTED, a));
    watch.consume(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL, 3));
    watch.consume(event(ZMQ.EVENT_DISCONNECTED, a));
    assertThat(failed.get()).as("handshaken, then ended").isZero();

    Object b = new Object();
    watch.consume(event(ZMQ.EVENT_ACCEPTED, b));
    watch.consume(event(ZMQ.EVENT_DISCONNECTED, b));
    assertThat(failed.get()).as("ended before the handshake").isEqualTo(1);

    Object c = new Object();
    watch.consume(event(ZMQ.EVENT_ACCEPTED, c));
    watch.consume(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL, 3));
    watch.consume(event(zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
        zmq.ZMQ.ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC));
    watch.consume(event(ZMQ.EVENT_DISCONNECTED, c));
    assertThat(failed.get()).as("a reported failure counts once, not again at the end")
        .isEqualTo(2);
  }

  /**
   * A random merge of each connection's events (accepted; handshaken if it handshakes; a
   * reported failure if any; disconnected), keeping each connection's own order.
   */
  private static List<zmq.ZMQ.Event> interleave(List<Connection> all, Random random) {
    List<List<zmq.ZMQ.Event>> queues = new ArrayList<>();
    for (Connection c : all) {
      List<zmq.ZMQ.Event> own = new ArrayList<>();
      own.add(event(ZMQ.EVENT_ACCEPTED, c.channel()));
      if (c.handshakes()) {
        own.add(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL, 3));
      }
      if (c.reportedFailure()) {
        own.add(event(zmq.ZMQ.ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
            zmq.ZMQ.ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC));
      }
      own.add(event(ZMQ.EVENT_DISCONNECTED, c.channel()));
      queues.add(own);
    }
    List<zmq.ZMQ.Event> merged = new ArrayList<>();
    while (!queues.isEmpty()) {
      int i = random.nextInt(queues.size());
      merged.add(queues.get(i).remove(0));
      if (queues.get(i).isEmpty()) {
        queues.remove(i);
      }
    }
    return merged;
  }

  private static zmq.ZMQ.Event event(int type, Object arg) {
    return new zmq.ZMQ.Event(type, ENDPOINT, arg);
  }
}
