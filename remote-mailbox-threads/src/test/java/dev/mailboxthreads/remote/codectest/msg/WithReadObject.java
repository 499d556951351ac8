package dev.mailboxthreads.remote.codectest.msg;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;

/** Uses Java serialization's readObject hook, and remembers the stream it was given. */
public final class WithReadObject implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The class of the stream the last readObject call got. */
  public static volatile Class<?> lastStreamClass;

  /** Some state. */
  public int value;

  /** A value. */
  public WithReadObject(int value) {
    this.value = value;
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    lastStreamClass = in.getClass();
    in.defaultReadObject();
  }
}
