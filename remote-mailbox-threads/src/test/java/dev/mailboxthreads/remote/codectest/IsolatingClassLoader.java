package dev.mailboxthreads.remote.codectest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Defines its own copy of every class under the given package prefixes, from the parent's class
 * files, and delegates everything else. A sender that builds its tripwires here leaves the
 * application loader's copies untouched, so a test can tell whether a receiver loaded them.
 */
public final class IsolatingClassLoader extends ClassLoader {
  static {
    registerAsParallelCapable();
  }

  private final List<String> prefixes;

  /** Isolates the classes whose names start with one of {@code prefixes}. */
  public IsolatingClassLoader(ClassLoader parent, String... prefixes) {
    super("isolating", parent);
    this.prefixes = List.of(prefixes);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (prefixes.stream().noneMatch(name::startsWith)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = getParent().getResourceAsStream(resource)) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] bytes = in.readAllBytes();
          c = defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }
}
