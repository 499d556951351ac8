package dev.mailboxthreads;

/**
 * The answer to a {@link MailboxThreads#call call}, on its way back to the caller. Applications
 * do not handle replies: {@link Request#reply(Object)} makes one and {@code call} unwraps it.
 * Transports (the remote module) carry the correlation id and the body, and hand a received
 * reply to {@link MailboxThreads#deliverReply(Reply)}.
 *
 * @param correlationId the id of the call answered ({@link Request#correlationId()})
 * @param body the answer; not null
 */
public record Reply(long correlationId, Object body) {

  /**
   * Checks the body.
   *
   * @param correlationId the call's id
   * @param body not null
   */
  public Reply {
    java.util.Objects.requireNonNull(body, "body: a reply cannot be null; reply with a value or"
        + " an Optional");
  }
}
