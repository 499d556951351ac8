package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.Address;
import java.util.List;
import java.util.function.Function;

/**
 * Which publication the current thread decodes for: a publication's I/O thread binds its
 * address resolver here once, when it starts, so that a codec that meets an address while
 * decoding resolves it in that publication's context ({@code Addresses.fromEndpoints}).
 *
 * <p><b>Thread safety:</b> per thread; every method acts on the calling thread only.
 */
public final class DecodingScope {
  private static final ThreadLocal<Function<List<String>, Address>> RESOLVER = new ThreadLocal<>();

  private DecodingScope() {}

  /**
   * Binds {@code resolver} to the calling thread for the rest of its life.
   *
   * @param resolver turns checked endpoints into an address
   */
  public static void bind(Function<List<String>, Address> resolver) {
    RESOLVER.set(resolver);
  }

  /**
   * Binds {@code resolver} to the calling thread until the next call; for a mailbox's owner that
   * decodes for a publication while it waits.
   *
   * @param resolver turns checked endpoints into an address, or null for none
   * @return the resolver bound before, or null
   */
  static Function<List<String>, Address> swap(Function<List<String>, Address> resolver) {
    Function<List<String>, Address> before = RESOLVER.get();
    if (resolver == null) {
      RESOLVER.remove();
    } else {
      RESOLVER.set(resolver);
    }
    return before;
  }

  /**
   * The resolver bound to the calling thread.
   *
   * @return the resolver, or null on a thread that is not a publication's
   */
  public static Function<List<String>, Address> current() {
    return RESOLVER.get();
  }
}
