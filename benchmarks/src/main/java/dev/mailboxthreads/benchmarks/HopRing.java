package dev.mailboxthreads.benchmarks;

/** A ring of receivers passing one token, ours or a peer's, as the ring benchmarks drive it. */
interface HopRing {
  /**
   * Sends the token around for {@code hops} hops and waits until they are done.
   *
   * @param hops how many hops
   * @throws InterruptedException if interrupted while waiting
   */
  void hops(int hops) throws InterruptedException;

  /**
   * Stops every receiver and waits until they have ended.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void stop() throws InterruptedException;
}
