package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A ZeroMQ thread of a context that dies of an exception is counted and reported: as an error
 * while the context is open (its sockets no longer move messages), at DEBUG while it closes.
 */
class IoThreadFailureTest {
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture();
  }

  @AfterEach
  void restoreLog() {
    log.close();
  }

  @Test
  void ioThreadDies_whileOpen_countedAndLoggedAsError() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      ctx.publish(Thread.currentThread(), "inproc://io-failure").close(); // starts the I/O thread
      String name = ctx.toString().replaceAll(".*\\[(.*)\\]", "$1"); // RemoteContext[name]
      Thread io = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().startsWith(name + "-"))
          .findFirst().orElseThrow(() -> new AssertionError("no ZeroMQ thread of " + ctx
              + " among " + Thread.getAllStackTraces().keySet()));

      io.getUncaughtExceptionHandler().uncaughtException(io, new IllegalStateException("boom"));

      assertThat(ctx.ioThreadFailures()).isEqualTo(1);
      assertThat(log.records()).filteredOn(r -> r.getLevel() == Level.SEVERE)
          .singleElement()
          .satisfies(r -> assertThat(r.getMessage()).contains(io.getName(), "boom",
              "close it and create a new RemoteContext"));
    }
  }

  @Test
  void ioThreadDies_whileClosing_countedAndLoggedAtDebug() {
    RemoteContext ctx = RemoteContext.create();
    ctx.close();
    Thread t = Thread.ofPlatform().unstarted(() -> {});

    ctx.ioThreadFailed(t, new IllegalStateException("late command"));

    assertThat(ctx.ioThreadFailures()).isEqualTo(1);
    assertThat(log.records()).filteredOn(r -> r.getMessage().contains("late command"))
        .singleElement()
        .satisfies(r -> assertThat(r.getLevel()).isEqualTo(Level.FINE));
  }

  /**
   * What an I/O thread's poller catches from an event handler goes to the context, not to
   * stderr: JeroMQ's termination race (a term-ack to a destroyed socket) at DEBUG even while the
   * context is open, anything else as an error.
   */
  @Test
  void ioEventFails_terminationRaceAtDebug_otherFailuresAsError() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Thread t = Thread.ofPlatform().unstarted(() -> {});
      ctx.ioEventFailed(t, new zmq.ZError.IOException(
          new java.nio.channels.ClosedChannelException()));
      ctx.ioEventFailed(t, new IllegalStateException("event boom"));

      assertThat(log.records()).filteredOn(r -> r.getMessage().contains("termination race"))
          .singleElement()
          .satisfies(r -> assertThat(r.getLevel()).isEqualTo(Level.FINE));
      assertThat(log.records()).filteredOn(r -> r.getMessage().contains("event boom"))
          .singleElement()
          .satisfies(r -> assertThat(r.getLevel()).isEqualTo(Level.SEVERE));
      assertThat(ctx.ioThreadFailures()).as("the thread went on").isZero();
    }
  }
}
