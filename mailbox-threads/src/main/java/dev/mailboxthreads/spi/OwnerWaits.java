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
   * Makes {@code owner} wait with {@code wait} from its next call that waits on ({@code
   * receive}, {@code mailboxNext}, a selective receive); a call waiting now goes on parking.
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
   * Removes {@code wait} if it is {@code owner}'s; the owner parks again from its next call that
   * waits on. A call waiting now goes on calling {@code wait} until it returns, so a removed wait
   * must still end on {@link OwnerWait#wake} and on time.
   *
   * @param owner the thread
   * @param wait its wait, as installed
   * @return true if it was installed and is now removed
   */
  public static boolean remove(Thread owner, OwnerWait wait) {
    return Mailbox.removeOwnerWait(owner, wait);
  }
}
