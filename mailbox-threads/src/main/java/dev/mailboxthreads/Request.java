package dev.mailboxthreads;

import java.util.Objects;

/**
 * A request made by {@link MailboxThreads#call(Address, Object, java.time.Duration) call}, as the server
 * thread receives it: the request itself ({@link #body()}), where to answer ({@link
 * #replyTo()}) and the call's correlation id. The server answers with one call:
 *
 * {@snippet :
 * Request request = receive(Request.class);
 * request.reply(handle(request.body()));
 * }
 *
 * <p>Only the reply that matches a waiting call reaches the caller; a reply to a call that has
 * given up (timed out or was interrupted), or a second reply to the same call, is dropped and
 * counted in {@link MailboxThreads#lateReplyCount()}.
 *
 * <p>Requests are made by {@code call}, and by transports (the remote module) that rebuild a
 * request received from another process; an application has no reason to make one.
 *
 * <p><b>Thread safety:</b> immutable; {@link #reply} may be called from any thread.
 */
public final class Request {
  private final Object body;
  private final Address replyTo;
  private final long correlationId;

  /**
   * Creates a request; used by {@code call} and by transports.
   *
   * @param body the request; not null
   * @param replyTo where the reply goes; not null
   * @param correlationId the call's id
   */
  public Request(Object body, Address replyTo, long correlationId) {
    this.body = Objects.requireNonNull(body, "body");
    this.replyTo = Objects.requireNonNull(replyTo, "replyTo");
    this.correlationId = correlationId;
  }

  /**
   * What the caller asked.
   *
   * @return the request given to {@code call}
   */
  public Object body() {
    return body;
  }

  /**
   * Where the reply goes: the calling thread, or, across processes, a publication of the
   * calling process.
   *
   * @return the reply address
   */
  public Address replyTo() {
    return replyTo;
  }

  /**
   * The call's id, unique in the calling JVM; the reply carries it back.
   *
   * @return the id
   */
  public long correlationId() {
    return correlationId;
  }

  /**
   * Answers the request: sends {@code answer} back to the caller, whose {@code call} returns
   * it. Never blocks for a local caller; for a remote one it is a remote send.
   *
   * @param answer the answer; not null
   * @throws NullPointerException if {@code answer} is null
   */
  public void reply(Object answer) {
    Reply r = new Reply(correlationId, answer);
    if (MailboxThreads.isLocal(replyTo)) {
      MailboxThreads.deliverReply(r); // routed by correlation id to the waiting caller
    } else {
      replyTo.send(r);
    }
  }

  @Override
  public String toString() {
    return "Request[" + correlationId + ": " + body + ", reply to " + replyTo + "]";
  }
}
