package dev.mailboxthreads.remote.internal;

/**
 * The library's logger, {@code dev.mailboxthreads.remote}, made on first use.
 *
 * <p>Why: the first {@code System.getLogger} of a JVM starts the logging back end, about 20 ms
 * measured in a fresh JVM here, and the classes that log are on the path of a fresh process's
 * first {@code connect}, which logs nothing when all goes well. Callers ask {@link #remote()} at
 * each use (not a field of their own), so the logger is created the first time something is
 * logged, and the log still names the caller as the source.
 *
 * <p><b>Thread safety:</b> safe from any thread (the holder idiom: class initialization).
 */
public final class Logs {
  private Logs() {}

  /**
   * The library's logger.
   *
   * @return the logger named {@code dev.mailboxthreads.remote}
   */
  public static System.Logger remote() {
    return Holder.LOGGER;
  }

  private static final class Holder {
    static final System.Logger LOGGER = System.getLogger("dev.mailboxthreads.remote");
  }
}
