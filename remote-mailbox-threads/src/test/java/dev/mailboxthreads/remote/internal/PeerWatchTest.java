package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

/**
 * The connection's watch of its receivers counts completed connects, and remembers how many
 * handshakes there had been when the latest one completed: the connection's I/O thread pokes
 * JeroMQ's poller after each connect until a handshake beyond that count (SenderLoop).
 */
class PeerWatchTest {
  private static final String A = "tcp://127.0.0.1:5555";

  private static zmq.ZMQ.Event event(int kind) {
    return new zmq.ZMQ.Event(kind, A, null);
  }

  @Test
  void connectsAndHandshakes_areCounted_withTheHandshakesAtEachConnect() {
    PeerWatch watch = new PeerWatch("test", Thread.currentThread(), 0);
    assertThat(watch.connects()).isZero();
    assertThat(watch.handshakesAtConnect()).isZero();

    watch.consume(event(ZMQ.EVENT_CONNECTED));
    assertThat(watch.connects()).isEqualTo(1);
    assertThat(watch.handshakesAtConnect()).as("no handshake before the first connect").isZero();
    assertThat(watch.handshakes()).isZero();

    watch.consume(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL));
    assertThat(watch.handshakes()).isEqualTo(1);
    assertThat(watch.connected()).isEqualTo(1);

    // the receiver goes, and the connection reconnects to its successor
    watch.consume(event(ZMQ.EVENT_DISCONNECTED));
    assertThat(watch.connected()).isZero();
    watch.consume(event(ZMQ.EVENT_CONNECTED));
    assertThat(watch.connects()).isEqualTo(2);
    assertThat(watch.handshakesAtConnect())
        .as("the reconnect waits for a handshake beyond the first").isEqualTo(1);
    assertThat(watch.handshakes()).isEqualTo(watch.handshakesAtConnect());

    watch.consume(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL));
    assertThat(watch.handshakes()).isGreaterThan(watch.handshakesAtConnect());
  }

  @Test
  void theWatchedEvents_includeConnects() {
    assertThat(PeerWatch.EVENTS & ZMQ.EVENT_CONNECTED).isNotZero();
    assertThat(PeerWatch.EVENTS & ZMQ.EVENT_HANDSHAKE_PROTOCOL).isNotZero();
    assertThat(PeerWatch.EVENTS & ZMQ.EVENT_DISCONNECTED).isNotZero();
  }

  @Test
  void afterStop_eventsAreIgnored() {
    PeerWatch watch = new PeerWatch("test", Thread.currentThread(), 0);
    watch.stop();
    watch.consume(event(ZMQ.EVENT_CONNECTED));
    watch.consume(event(ZMQ.EVENT_HANDSHAKE_PROTOCOL));
    assertThat(watch.connects()).isZero();
    assertThat(watch.handshakes()).isZero();
  }
}
