package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CountFirstSignals: a signal is counted before its byte can wake the reader, so a reader that
 * drains its mailbox while the writer is held up after the write leaves no byte behind for a
 * level-triggered selector to report again and again (the race of docs/benchmarks.md, "Session
 * 9"); and a context's I/O thread and reaper get the sink.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountFirstSignalsTest {

  /** A write end that writes the byte, then holds the writer (a preempted writer) until let go. */
  private static final class HeldAfterWrite extends CountFirstSignals.ForwardingSink {
    final CountDownLatch written = new CountDownLatch(1);
    final CountDownLatch letGo = new CountDownLatch(1);
    /** What the signal counter held when the byte went into the pipe. */
    volatile long countAtWrite = -1;
    private final AtomicLong counter;

    HeldAfterWrite(Pipe.SinkChannel pipe, AtomicLong counter) {
      super(pipe);
      this.counter = counter;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      countAtWrite = counter.get();
      int n = pipe.write(src);
      written.countDown();
      try {
        letGo.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return n;
    }
  }

  private static zmq.Command command() throws ReflectiveOperationException {
    Constructor<zmq.Command> c =
        zmq.Command.class.getDeclaredConstructor(zmq.ZObject.class, zmq.Command.Type.class);
    c.setAccessible(true);
    return c.newInstance(null, zmq.Command.Type.STOP);
  }

  /** Whether the signal pipe has a byte that a level-triggered selector would report now. */
  private static boolean byteLeft(zmq.Mailbox mailbox) throws IOException {
    try (Selector selector = Selector.open()) {
      SelectionKey key = mailbox.getFd().register(selector, SelectionKey.OP_READ);
      int ready = selector.selectNow();
      key.cancel();
      return ready > 0;
    }
  }

  /**
   * One command sent by a writer held after its byte went into the pipe; the reader drains the
   * mailbox as JeroMQ's I/O thread does (recv(0) until null). Returns whether a byte was left.
   */
  private static boolean drainWhileTheWriterIsHeld(boolean countFirst) throws Exception {
    zmq.Ctx ctx = new zmq.Ctx();
    zmq.Mailbox mailbox = new zmq.Mailbox(ctx, "test", 99);
    try {
      Object signaler = CountFirstSignals.SIGNALER.get(mailbox);
      AtomicLong counter = (AtomicLong) CountFirstSignals.COUNTER.get(signaler);
      HeldAfterWrite held =
          new HeldAfterWrite((Pipe.SinkChannel) CountFirstSignals.SINK.get(signaler), counter);
      CountFirstSignals.SINK.set(signaler, held);
      if (countFirst) {
        assertThat(CountFirstSignals.install(mailbox)).isTrue();
        assertThat(CountFirstSignals.install(mailbox)).as("once only").isFalse();
      }
      zmq.Command sent = command();
      Thread writer = Thread.ofPlatform().start(() -> mailbox.send(sent));
      assertThat(held.written.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(held.countAtWrite).as("the count when the byte went in").isEqualTo(countFirst ? 1 : 0);

      assertThat(mailbox.recv(0)).isSameAs(sent);
      assertThat(mailbox.recv(0)).as("nothing more").isNull();
      boolean left = byteLeft(mailbox);

      held.letGo.countDown();
      writer.join(10_000);
      assertThat(writer.isAlive()).isFalse();
      // whatever the interleaving, the counts agree again: one more command comes out once,
      // and then nothing is left
      held.letGo.countDown();
      zmq.Command next = command();
      mailbox.send(next);
      assertThat(mailbox.recv(1_000)).isSameAs(next);
      assertThat(mailbox.recv(0)).isNull();
      assertThat(byteLeft(mailbox)).as("after the writer went on").isFalse();
      assertThat(counter.get()).as("two signals counted").isEqualTo(2);
      return left;
    } finally {
      mailbox.close();
      ctx.terminate();
    }
  }

  @Test
  void countedFirst_theReaderTakesTheByte_andNothingIsLeftToSpinOn() throws Exception {
    assertThat(drainWhileTheWriterIsHeld(true)).isFalse();
  }

  @Test
  void asJeroMqShipsIt_theByteStaysUncounted_andASelectorWouldReportItAgain() throws Exception {
    // the race itself, shown so that the test above can fail: JeroMQ's reader leaves the byte
    assertThat(drainWhileTheWriterIsHeld(false)).isTrue();
  }

  @Test
  void aContextsIoThreadAndReaper_getTheSink_andMessagesFlow() throws Exception {
    long before = CountFirstSignals.installed();
    try (RemoteContext context = RemoteContext.create()) {
      CompletableFuture<Object> received = new CompletableFuture<>();
      Thread receiver = MailboxThreads.start(() -> received.complete(MailboxThreads.receive()));
      Publication publication = context.publish(receiver, "tcp://127.0.0.1:*");
      // the first socket starts the I/O thread and the reaper, each installs in its own thread
      await().atMost(Duration.ofSeconds(10))
          .until(() -> CountFirstSignals.installed() >= before + 2);
      RemoteThread remote = context.connect(publication.endpoints().get(0));
      remote.send("through");
      assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("through");
      // the I/O thread counts a delivery after the message is in the mailbox
      await().atMost(Duration.ofSeconds(10)).until(() -> publication.stats().delivered() == 1);
      assertThat(receiver.join(Duration.ofSeconds(10))).isTrue();
    }
  }
}
