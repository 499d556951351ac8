package dev.mailboxthreads.remote.codectest.evil;

import dev.mailboxthreads.remote.codectest.Tripwires;

/** A record tripwire: records are built through their canonical constructor. */
public record TripwireRecord(int x) {
  static {
    Tripwires.ran("static initializer", TripwireRecord.class);
  }

  /** Reports that it ran. */
  public TripwireRecord {
    Tripwires.ran("constructor", TripwireRecord.class);
  }
}
