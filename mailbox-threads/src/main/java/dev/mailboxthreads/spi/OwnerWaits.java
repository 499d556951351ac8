package dev.mailboxthreads.spi;

import dev.mailboxthreads.internal.Mailbox;
import java.util.Objects;

/**
 * Installs and removes {@link OwnerWait}s: at most one per thread.
 *
 * <p>This package is for transports (the remote module), not for applications: a wait that
 * misbehaves keeps its thread from seeing its messages.
 */
public final class OwnerWaits {
  private OwnerWaits() {}

  /**
   * Makes {@code owner} wait with {@code wait} from its next wait on: effective at once for a
   * thread not waiting now, and from its next wake-up for one that is.
   *
   * @param owner the thread
   * @param wait how it waits
   * @return true if installed; false if {@code owner} already has one (this one is not used)
   * @throws NullPointerException if either is null
   */
  public static boolean install(Thread owner, OwnerWait wait) {
    return Mailbox.installOwnerWait(Objects.requireNonNull(owner, "owner"),
        Objects.requireNonNull(wait, "wait"));
  }

  /**
   * Removes {@code wait} if it is {@code owner}'s; the owner parks again from its next wait on
   * (a wait in progress ends when the installer makes it).
   *
   * @param owner the thread
   * @param wait its wait, as installed
   * @return true if it was installed and is now removed
   */
  public static boolean remove(Thread owner, OwnerWait wait) {
    return Mailbox.removeOwnerWait(owner, wait);
  }
}
