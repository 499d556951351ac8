package dev.mailboxthreads.remote.codectest.msg;

/** An enum, one of whose constants has a body (and so its own class, Color$1). */
public enum Color {
  /** Plain. */
  RED,
  /** With a body. */
  BLUE {
    @Override
    public String toString() {
      return "blue!";
    }
  }
}
