package dev.mailboxthreads.remote.codectest.msg;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.concurrent.CountDownLatch;

/**
 * Holds the encoder that encodes it until {@link #release} opens: its writeObject hook announces
 * itself on {@link #entered} and waits.
 */
public final class Blocker implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Counted down when an encoder is inside writeObject. */
  public final transient CountDownLatch entered;
  /** Opened by the test to let writeObject finish. */
  public final transient CountDownLatch release;

  /** A blocker with fresh latches. */
  public Blocker() {
    this.entered = new CountDownLatch(1);
    this.release = new CountDownLatch(1);
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    entered.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      throw new IOException(e);
    }
    out.defaultWriteObject();
  }
}
