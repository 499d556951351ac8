package dev.mailboxthreads.remote.codectest.evil;

import dev.mailboxthreads.remote.codectest.Tripwires;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * A gadget-shaped tripwire: {@code Serializable}, with every hook that Java serialization (or a
 * codec that mimics it) runs on the receiving side, each reporting that it ran.
 */
public class SerializableTripwire implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  static {
    Tripwires.ran("static initializer", SerializableTripwire.class);
  }

  /** Some state, so that the payload carries a field. */
  public String command = "rm -rf /";

  /** Reports that it ran. */
  public SerializableTripwire() {
    Tripwires.ran("constructor", SerializableTripwire.class);
  }

  @Serial
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    Tripwires.ran("readObject", SerializableTripwire.class);
    in.defaultReadObject();
  }

  @Serial
  private Object readResolve() {
    Tripwires.ran("readResolve", SerializableTripwire.class);
    return this;
  }
}
