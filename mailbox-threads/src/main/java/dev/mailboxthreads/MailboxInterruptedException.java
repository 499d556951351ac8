package dev.mailboxthreads;

/**
 * Thrown by a blocking {@code receive} or {@code mailboxNext} when its thread is interrupted
 * while it waits. The thread's interrupt status is set again before this is thrown, so the
 * interrupt is never swallowed: code further up still sees {@link Thread#isInterrupted()}, and
 * the next blocking call throws again until someone clears it.
 *
 * <p>Unchecked, deliberately: mailbox threads run {@link Runnable} bodies (lambdas), where a
 * checked {@link InterruptedException} forces a {@code try}/{@code catch} around every {@code
 * receive} and in practice gets swallowed. An interrupt here means "stop waiting", it is usually
 * handled at the top of the thread, and the preserved status keeps the JDK's contract. The
 * original {@link InterruptedException} is not created; {@link #getCause()} is {@code null}.
 */
public final class MailboxInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public MailboxInterruptedException() {
    super("interrupted while waiting for a message; the thread's interrupt status is still set");
  }
}
