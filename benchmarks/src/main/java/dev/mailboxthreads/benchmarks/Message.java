package dev.mailboxthreads.benchmarks;

/**
 * A message. Every contestant sends the same pre-allocated instances ({@link #POOL}), so no
 * benchmark allocates messages: what a contestant allocates per send is its own.
 *
 * @param seq its index in the pool
 */
record Message(int seq) {
  /** Mask for indexing {@link #POOL}. */
  static final int MASK = 1023;

  /** 1024 messages, shared by every benchmark. */
  static final Message[] POOL = new Message[MASK + 1];

  static {
    for (int i = 0; i < POOL.length; i++) {
      POOL[i] = new Message(i);
    }
  }
}
