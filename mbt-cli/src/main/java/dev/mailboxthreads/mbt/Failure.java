package dev.mailboxthreads.mbt;

/**
 * A command cannot go on: its message is printed as one line after the command's name, and the
 * process exits with {@link #exitCode()}. Messages say what went wrong and what to do.
 */
final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  Failure(int exitCode, String message) {
    super(message, null, false, false); // never printed with a stack trace
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }

  static Failure usage(String message) {
    return new Failure(Exit.USAGE, message);
  }

  static Failure unreachable(String message) {
    return new Failure(Exit.UNREACHABLE, message);
  }
}
