package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/**
 * SocketWait: an I/O thread waits inside JeroMQ for its socket, wakes for a frame, and another
 * thread, interrupted or not, can end the wait at once.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketWaitTest {
  /** Far longer than any test here may take: a wait that ends sooner was ended by something. */
  private static final int LONG_MILLIS = 30_000;

  /** Runs {@code body} on a platform thread that owns a PULL socket bound to an inproc endpoint. */
  private static <T> T withPull(String name, PullBody<T> body) throws Exception {
    ZMQ.Context context = ZMQ.context(1);
    try {
      ZMQ.Socket pull = context.socket(SocketType.PULL);
      pull.setLinger(0);
      assertThat(pull.bind("inproc://" + name)).isTrue();
      try {
        return body.run(context, pull);
      } finally {
        pull.close();
      }
    } finally {
      context.close();
    }
  }

  private interface PullBody<T> {
    T run(ZMQ.Context context, ZMQ.Socket pull) throws Exception;
  }

  @Test
  void aFrameEndsTheWait_true() throws Exception {
    boolean ready = withPull("frame", (context, pull) -> {
      SocketWait wait = new SocketWait();
      wait.open(pull);
      CompletableFuture<Boolean> waited = new CompletableFuture<>();
      Thread owner = Thread.ofPlatform().start(
          () -> waited.complete(wait.await(pull, zmq.ZMQ.ZMQ_POLLIN, LONG_MILLIS, true)));
      ZMQ.Socket push = context.socket(SocketType.PUSH);
      push.setLinger(0);
      push.connect("inproc://frame");
      assertThat(push.send("hello")).isTrue();
      boolean result = waited.get(10, TimeUnit.SECONDS);
      owner.join();
      assertThat(pull.recvStr(ZMQ.DONTWAIT)).isEqualTo("hello");
      push.close();
      wait.closing();
      return result;
    });
    assertThat(ready).isTrue();
  }

  @Test
  void cancelFromAnInterruptedThread_endsTheWait_keepsItsInterrupt_andStays() throws Exception {
    withPull("cancel", (context, pull) -> {
      SocketWait wait = new SocketWait();
      wait.open(pull);
      CompletableFuture<Boolean> waited = new CompletableFuture<>();
      Thread owner = Thread.ofPlatform().start(
          () -> waited.complete(wait.await(pull, zmq.ZMQ.ZMQ_POLLIN, LONG_MILLIS, true)));
      CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
      Thread.ofVirtual().start(() -> {
        Thread.currentThread().interrupt();
        wait.cancel();
        interruptKept.complete(Thread.currentThread().isInterrupted());
      });
      assertThat(interruptKept.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(waited.get(10, TimeUnit.SECONDS)).as("cancelled, not ready").isFalse();
      owner.join();
      // a cancelled wait stays cancelled (returns at once, not after LONG_MILLIS); a wait that
      // is not cancellable still waits for frames
      CompletableFuture<Boolean> again = CompletableFuture.supplyAsync(
          () -> wait.await(pull, zmq.ZMQ.ZMQ_POLLIN, LONG_MILLIS, true),
          r -> Thread.ofPlatform().start(r));
      assertThat(again.get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(wait.await(pull, zmq.ZMQ.ZMQ_POLLIN, 1, false)).isFalse();
      wait.closing();
      return null;
    });
  }

  @Test
  void cancelAfterClosing_doesNothing() throws Exception {
    ZMQ.Context context = ZMQ.context(1);
    SocketWait wait = new SocketWait();
    ZMQ.Socket pull = context.socket(SocketType.PULL);
    wait.open(pull);
    wait.closing();
    pull.close();
    context.close();
    assertThatCode(wait::cancel).as("no command to a closed socket").doesNotThrowAnyException();
    assertThatCode(new SocketWait()::cancel).as("nor before open").doesNotThrowAnyException();
  }

  @Test
  void theContextsEnd_endsTheWait_terminated() throws Exception {
    ZMQ.Context context = ZMQ.context(1);
    ZMQ.Socket pull = context.socket(SocketType.PULL);
    pull.setLinger(0);
    SocketWait wait = new SocketWait();
    wait.open(pull);
    CompletableFuture<Boolean> terminated = new CompletableFuture<>();
    Thread owner = Thread.ofPlatform().start(() -> {
      boolean ready = wait.await(pull, zmq.ZMQ.ZMQ_POLLIN, LONG_MILLIS, true);
      terminated.complete(!ready && SocketWait.terminated(pull));
      wait.closing();
      pull.close();
    });
    Thread closer = Thread.ofPlatform().start(context::close); // blocks until the socket closes
    assertThat(terminated.get(10, TimeUnit.SECONDS)).isTrue();
    owner.join();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
  }
}
