package dev.mailboxthreads;

/**
 * What a send does when the receiver's mailbox is full, for a mailbox limited with {@link
 * MailboxThreads#limitMailbox}. Mailboxes are unbounded unless limited.
 */
public enum Overflow {
  /**
   * The sender waits until the receiver has taken a message (or has ended: then the message is
   * dropped and counted). A sending thread interrupted while it waits gets a {@link
   * MailboxInterruptedException} and the message is not sent. This is back-pressure: a fast
   * producer is slowed to the pace of its consumer.
   */
  BLOCK,

  /**
   * The send fails at once: {@link MailboxThreads#send(Thread, Object)} and {@link
   * Address#send(Object)} throw {@link MailboxFullException}, {@link MailboxThreads#trySend}
   * returns {@code false}. Nothing is sent, so nothing is counted as dropped.
   */
  FAIL,

  /**
   * The message is dropped and counted ({@link MailboxThreads#droppedCount()} and {@link
   * MailboxThreads#droppedWhenFullCount()}); the sender goes on. {@code trySend} returns {@code
   * false}.
   */
  DROP
}
