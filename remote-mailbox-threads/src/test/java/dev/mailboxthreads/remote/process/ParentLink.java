package dev.mailboxthreads.remote.process;

import java.io.IOException;

/**
 * The child side of {@link ChildJvm}: report to the test through stdout, and end when the test
 * closes our stdin or dies (so no child outlives its test JVM).
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
final class ParentLink {
  private ParentLink() {}

  /** Prints one line for the test and flushes it at once. */
  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /**
   * Runs {@code action} on a daemon thread once stdin ends: the test closed it ({@link
   * ChildJvm#closeStdin()}) or the test JVM is gone.
   */
  static void onStdinEnd(Runnable action) {
    Thread.ofPlatform().daemon().name("parent-link").start(() -> {
      try {
        while (System.in.read() != -1) {
          // the parent sends nothing; wait for the end
        }
      } catch (IOException e) {
        // stdin is broken: the parent is gone as far as we can tell
      }
      action.run();
    });
  }

  /** For children that end by themselves: if stdin ends first, the parent is gone; stop at once. */
  static void haltWhenParentGone() {
    onStdinEnd(() -> Runtime.getRuntime().halt(3));
  }
}
