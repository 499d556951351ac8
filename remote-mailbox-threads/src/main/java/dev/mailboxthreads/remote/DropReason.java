package dev.mailboxthreads.remote;

/**
 * Why a publication dropped a message it received instead of delivering it. Every drop is
 * counted by reason ({@link PublicationStats#dropped()}) and logged through {@link
 * System.Logger} ({@code dev.mailboxthreads.remote}): the first drop of each reason at {@code
 * WARNING}, later ones at {@code DEBUG}, so a flood of bad input cannot flood the log.
 */
public enum DropReason {
  /** The frame is shorter than the header, has the wrong magic or version, or has more parts. */
  MALFORMED_FRAME,
  /** The header names a codec this publication does not decode. */
  UNKNOWN_CODEC,
  /** The codec could not decode the payload. */
  UNDECODABLE,
  /** The payload names a class the codec does not allow. Nothing of it was instantiated. */
  FORBIDDEN_CLASS,
  /**
   * The frame is larger than the publication's {@code maxMessageBytes}. A frame more than twice
   * that large (at least 1 MiB over) never reaches the publication: ZeroMQ drops the sender's
   * connection as soon as it reads the frame's size, before allocating it, and the sender
   * reconnects.
   */
  TOO_LARGE,
  /** The published thread has ended; the message was decoded but had nowhere to go. */
  RECEIVER_ENDED,
  /**
   * The published thread's mailbox is full: limited ({@code MailboxThreads.limitMailbox}) with
   * {@code Overflow.FAIL} or {@code DROP} (a {@code DROP} is also counted in {@code
   * MailboxThreads.droppedWhenFullCount()}), or with {@code Overflow.BLOCK} when the publication
   * closed while it waited for room. With {@code BLOCK} the publication otherwise waits, which
   * slows the senders through ZeroMQ's high-water marks.
   */
  RECEIVER_FULL,
  /**
   * A reply (docs/wire-format.md, call envelope) that no {@code call} of this process waits for
   * any more: it came after its call timed out or was interrupted, answered a call twice, or
   * answered a call this process never made. Counted in {@code
   * MailboxThreads.lateReplyCount()} as well.
   */
  LATE_REPLY
}
