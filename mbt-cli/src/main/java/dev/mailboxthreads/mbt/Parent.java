package dev.mailboxthreads.mbt;

import java.io.PrintWriter;

/** For the child processes of {@code mbt demo}: never outlive the demo. */
final class Parent {
  private Parent() {}

  /**
   * Exits (running the shutdown hooks, so an ipc socket file is removed) as soon as the parent
   * process ends, whatever ends it.
   */
  static void exitWhenGone(PrintWriter err) {
    ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
      err.println("mbt: the parent process ended; stopping");
      System.exit(Exit.FAILED);
    }));
  }
}
