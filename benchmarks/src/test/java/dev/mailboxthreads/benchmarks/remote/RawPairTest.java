package dev.mailboxthreads.benchmarks.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The raw PUSH/PULL pair: a round trip through raw JeroMQ sockets laid out as ours are, with a
 * second JVM echoing every request back over a connection of its own.
 */
class RawPairTest {
  @Test
  @Timeout(120)
  void roundTrip_echoedOverTheSecondConnection_everyRequestTimed() {
    Options o = Options.parse(new String[] {"--only", "rtt", "--contestants", "raw-pair",
        "--round-trips", "300", "--round-trip-warmup", "50", "--payload", "256"});

    RoundTrip.Result r;
    try (ReceiverJvm receiver = ReceiverJvm.start(o)) {
      r = RoundTrip.run(Options.Contestant.RAW_PAIR, receiver,
          new Endpoints(Options.Transport.TCP, null), o);
    }

    // rawPair checks each reply against the request and fails the round otherwise
    assertThat(r.sortedNanos()).hasSize(300);
    assertThat(r.sortedNanos()[0]).isPositive();
    assertThat(r.percentileMicros(0.5)).isBetween(1.0, 1_000_000.0);
  }

  @Test
  void contestants_rawPairIsParsedByName() {
    Options o = Options.parse(new String[] {"--contestants", "raw,raw-pair"});

    assertThat(o.contestants())
        .isEqualTo(EnumSet.of(Options.Contestant.RAW, Options.Contestant.RAW_PAIR));
  }
}
