package dev.mailboxthreads.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** IdleHeap's arguments: a count it cannot use is named, with the usage. */
class IdleHeapTest {

  @Test
  void positive_takesACount() {
    assertThat(IdleHeap.positive("100000", "N")).isEqualTo(100_000);
  }

  @Test
  void positive_namesWhatIsWrongAndShowsTheUsage() {
    assertThatThrownBy(() -> IdleHeap.positive("--hepl", "N"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("N must be a positive whole number, not '--hepl'")
        .hasMessageContaining("usage: IdleHeap");
    assertThatThrownBy(() -> IdleHeap.positive("0", "--repeat"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--repeat must be at least 1, not 0");
  }
}
