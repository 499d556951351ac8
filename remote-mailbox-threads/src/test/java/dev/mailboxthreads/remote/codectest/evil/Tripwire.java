package dev.mailboxthreads.remote.codectest.evil;

import dev.mailboxthreads.remote.codectest.Tripwires;

/** A class a strict codec must never initialize or instantiate: it reports if it is. */
public class Tripwire {
  static {
    Tripwires.ran("static initializer", Tripwire.class);
  }

  /** Some state, so that the payload carries a field. */
  public int x = 42;

  /** Reports that it ran. */
  public Tripwire() {
    Tripwires.ran("constructor", Tripwire.class);
  }
}
