package dev.mailboxthreads.remote;

import java.util.Objects;

/**
 * A received message could not be decoded; thrown by {@link Codec#decode} and turned into a
 * counted, logged drop by the publication.
 */
public class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why decoding failed: {@link DropReason#UNDECODABLE} or {@link DropReason#FORBIDDEN_CLASS}. */
  private final DropReason reason;

  /**
   * Creates the exception.
   *
   * @param reason {@link DropReason#UNDECODABLE} or {@link DropReason#FORBIDDEN_CLASS}
   * @param message what was wrong, for the log
   * @param cause the underlying failure, or null
   */
  public CodecException(DropReason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why decoding failed.
   *
   * @return the drop reason the publication counts
   */
  public DropReason reason() {
    return reason;
  }
}
