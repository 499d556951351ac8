package dev.mailboxthreads.mbt;

/**
 * The exit codes of every command, as {@code mbt --help} and docs/mbt.md list them. Code 3 is
 * the launcher's ({@code ./mbt} found no JDK 21+ or Maven, or the build failed), as for
 * {@code ./build}.
 */
final class Exit {
  /** Done. */
  static final int OK = 0;
  /** An unexpected failure: a bug in mbt or the library. */
  static final int FAILED = 1;
  /** Bad command line: unknown option, missing argument, malformed endpoint, bad JSON. */
  static final int USAGE = 2;
  /** An endpoint could not be bound: address in use, no such interface, bad ipc path. */
  static final int CANNOT_PUBLISH = 4;
  /** Nobody listens at the endpoint, nothing was delivered in time, or no answer came back. */
  static final int UNREACHABLE = 5;
  /** A check failed: {@code mbt soak} lost, repeated or reordered a message, or leaked. */
  static final int CHECK_FAILED = 6;
  /** Stopped with Ctrl-C: 128 + SIGINT, which is what the JVM exits with after its hooks. */
  static final int INTERRUPTED = 130;

  private Exit() {}
}
