/**
 * mailbox-threads: every Java thread, platform or virtual, has a mailbox.
 *
 * <p>The whole API is {@link dev.mailboxthreads.MailboxThreads}, used with
 * {@code import static dev.mailboxthreads.MailboxThreads.*;}. {@link dev.mailboxthreads.spi} is for
 * transports, not applications. The implementation lives in a package this module does not
 * export.
 */
module dev.mailboxthreads {
  exports dev.mailboxthreads;
  exports dev.mailboxthreads.spi;
}
