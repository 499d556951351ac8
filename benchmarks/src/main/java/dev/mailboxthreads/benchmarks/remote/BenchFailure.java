package dev.mailboxthreads.benchmarks.remote;

/** The run cannot be trusted: a message was lost or wrong, a peer failed, or a step timed out. */
final class BenchFailure extends RuntimeException {
  BenchFailure(String message) {
    super(message);
  }

  BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
