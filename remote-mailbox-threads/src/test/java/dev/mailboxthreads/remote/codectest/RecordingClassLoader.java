package dev.mailboxthreads.remote.codectest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Delegates to its parent, remembering every class name it is asked for; throws {@link
 * ClassNotFoundException} for the hidden names, as a loader that lacks those classes would.
 */
public final class RecordingClassLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final ConcurrentLinkedQueue<String> requested = new ConcurrentLinkedQueue<>();
  private final Set<String> hidden;

  /** Records requests, hides nothing. */
  public RecordingClassLoader(ClassLoader parent) {
    this(parent, Set.of());
  }

  /** Records requests and reports the {@code hidden} classes as missing. */
  public RecordingClassLoader(ClassLoader parent, Set<String> hidden) {
    super("recording", parent);
    this.hidden = Set.copyOf(hidden);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    requested.add(name);
    if (hidden.contains(name)) {
      throw new ClassNotFoundException(name);
    }
    return super.loadClass(name, resolve);
  }

  /** The names asked for so far. */
  public List<String> requested() {
    return List.copyOf(requested);
  }
}
