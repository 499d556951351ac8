package dev.mailboxthreads;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The trace from Gambit's manual (shared/seeds/REFERENCE.md), step by step. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GambitTraceTest {
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);

  @Test
  void gambitManualTrace_onFreshThread_reproducesEveryStep() throws Exception {
    var result = new java.util.concurrent.CompletableFuture<java.util.List<Object>>();
    start(() -> {
      try {
        var out = new java.util.ArrayList<Object>();
        send(Thread.currentThread(), 111);
        out.add(receive(ONE_SECOND, 999)); // 111
        send(Thread.currentThread(), 222);
        send(Thread.currentThread(), 333);
        out.add(mailboxNext(ONE_SECOND, 999)); // 222
        out.add(mailboxNext(ONE_SECOND, 999)); // 333
        out.add(mailboxNext(ONE_SECOND, 999)); // 999: timed out, nothing newer
        mailboxExtractAndRewind(); // removes 333
        out.add(receive(ONE_SECOND, 999)); // 222
        out.add(receive(ONE_SECOND, 999)); // 999: empty
        result.complete(out);
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    assertThat(result.get(20, TimeUnit.SECONDS)).containsExactly(111, 222, 333, 999, 222, 999);
  }
}
