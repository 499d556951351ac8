package dev.mailboxthreads;

/**
 * Where messages can be sent: the mailbox of a local thread ({@link
 * MailboxThreads#addressOf(Thread)}) or, with the remote module, a thread published in another
 * process.
 *
 * <p>An address caches whatever lookup sending needs, so a sender that keeps one pays only for
 * the hand-off itself. Two addresses of the same local thread are {@link Object#equals equal}.
 * Holding an address does not keep its thread alive, and once the thread has ended every message
 * sent to the address is dropped and counted ({@link MailboxThreads#droppedCount()}).
 *
 * <p><b>Thread safety:</b> every implementation is safe to use from any number of threads at
 * once, platform or virtual.
 *
 * <p><b>Memory consistency effects:</b> actions in a thread before it sends a message through an
 * address <i>happen-before</i> the actions of the receiving thread after it takes that message
 * from its mailbox, for local addresses. A remote address copies the message, so only the copy's
 * content is seen.
 */
public interface Address {

  /**
   * Sends {@code message} to this address: appends it to the mailbox of the addressed thread.
   * Never blocks for a local thread, unless its mailbox is limited and full (see {@code
   * MailboxThreads.limitMailbox}).
   *
   * @param message the message; not {@code null}
   * @throws NullPointerException if {@code message} is {@code null}
   * @throws MailboxFullException if a local mailbox is full and limited with {@link
   *     Overflow#FAIL}
   */
  void send(Object message);
}
