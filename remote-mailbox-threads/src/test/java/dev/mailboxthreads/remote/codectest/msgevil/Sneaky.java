package dev.mailboxthreads.remote.codectest.msgevil;

import dev.mailboxthreads.remote.codectest.Tripwires;

/**
 * Lives in {@code codectest.msgevil}, whose name starts with that of the allowed {@code
 * codectest.msg}: allowing a package must not allow this one.
 */
public class Sneaky {
  static {
    Tripwires.ran("static initializer", Sneaky.class);
  }

  /** Reports that it ran. */
  public Sneaky() {
    Tripwires.ran("constructor", Sneaky.class);
  }
}
