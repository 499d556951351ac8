package dev.mailboxthreads.benchmarks;

/** The kind of the threads that send and receive in a benchmark; a JMH parameter. */
public enum ThreadKind {
  /** Daemon platform threads. */
  PLATFORM,
  /** Virtual threads, on the default scheduler (parallelism = available processors). */
  VIRTUAL;

  /**
   * A builder of threads of this kind.
   *
   * @param name the threads' name
   * @return a new builder
   */
  Thread.Builder builder(String name) {
    return switch (this) {
      case PLATFORM -> Thread.ofPlatform().daemon().name(name);
      case VIRTUAL -> Thread.ofVirtual().name(name);
    };
  }
}
