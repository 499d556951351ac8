/**
 * mailbox-threads: every Java thread, platform or virtual, has a mailbox.
 *
 * <p>The whole API is {@link dev.mailboxthreads.MailboxThreads}, used with
 * {@code import static dev.mailboxthreads.MailboxThreads.*;}. The implementation lives in a
 * package this module does not export.
 */
module dev.mailboxthreads {
  exports dev.mailboxthreads;
}
