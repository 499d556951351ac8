package dev.mailboxthreads.benchmarks;

/**
 * One thread's inbox, as each {@link Contestant} builds it: the benchmarks' common shape, so
 * every contestant runs the same loop and only the hand-off differs.
 *
 * <p><b>Thread safety:</b> {@link #send} from any thread; {@link #receive} only from the owner
 * thread the inbox was made for.
 */
interface Inbox {

  /**
   * Hands {@code message} to the owner; never blocks (every contestant is unbounded).
   *
   * @param message not null
   */
  void send(Object message);

  /**
   * Takes the oldest message, parking while there is none. Owner only.
   *
   * @return the message
   * @throws InterruptedException if the owner is interrupted while it waits
   */
  Object receive() throws InterruptedException;
}
