package dev.mailboxthreads.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ring's contestants pass the token as often as asked and stop; the floor's inbox. */
class RingTest {

  @ParameterizedTest
  @EnumSource(value = Contestant.class,
      names = {"MAILBOX", "LINKED_BLOCKING_QUEUE", "JCTOOLS_MPSC_PARK", "ONE_SLOT_PARK"})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void hops_goAroundAndResumeWhereTheyStopped(Contestant contestant) throws Exception {
    Ring.Threads ring = new Ring.Threads(contestant, 100);
    ring.hops(250); // from thread 0: the 250th hop is thread 49's, halfway round the third lap
    assertThat(ring.resumeAt()).isEqualTo(50);
    ring.hops(1_001); // from thread 50: ten laps and one hop, the last one thread 50's
    assertThat(ring.resumeAt()).isEqualTo(51);
    ring.stop(); // throws if a thread does not stop
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void oneSlotInbox_refusesASecondMessageAndHandsOverTheFirst() throws Exception {
    CompletableFuture<Object> received = new CompletableFuture<>();
    Thread owner = Thread.ofVirtual().unstarted(() -> { });
    Contestant.OneSlotInbox inbox = new Contestant.OneSlotInbox(owner);
    inbox.send("first");
    assertThatThrownBy(() -> inbox.send("second"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one message at a time");
    Thread reader = Thread.ofVirtual().start(() -> received.complete(inbox.receive()));
    assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(reader.join(Duration.ofSeconds(5))).isTrue();
  }
}
