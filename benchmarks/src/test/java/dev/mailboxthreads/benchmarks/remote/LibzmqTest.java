package dev.mailboxthreads.benchmarks.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The libzmq contestant: its C program builds here (CI installs gcc's libzmq3-dev) and gives one
 * measured round-trip time per request.
 */
class LibzmqTest {
  @Test
  void roundTrip_buildsAndTimesEveryRequest() {
    assertThat(Libzmq.available()).as("why zmq_rtt.c cannot be built").isNull();
    Options o = Options.parse(new String[] {"--only", "rtt", "--contestants", "libzmq",
        "--round-trips", "300", "--round-trip-warmup", "50", "--payload", "256"});

    RoundTrip.Result r = Libzmq.roundTrip(new Endpoints(Options.Transport.TCP, null), o);

    assertThat(r.sortedNanos()).hasSize(300);
    assertThat(r.sortedNanos()[0]).isPositive();
    // a loopback round trip takes microseconds, not seconds: a unit mix-up would show here
    assertThat(r.percentileMicros(0.5)).isBetween(1.0, 1_000_000.0);
  }

  @Test
  void contestants_libzmqIsParsedByName() {
    Options o = Options.parse(new String[] {"--contestants", "ours,libzmq"});

    assertThat(o.contestants())
        .isEqualTo(EnumSet.of(Options.Contestant.OURS, Options.Contestant.LIBZMQ));
  }
}
