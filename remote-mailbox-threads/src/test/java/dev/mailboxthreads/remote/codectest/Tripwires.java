package dev.mailboxthreads.remote.codectest;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where tripwire classes record that their static initializer or constructor ran. Loaded by the
 * application class loader only, so that copies of a tripwire defined by other loaders report here
 * too, each with its own {@link Class} (and so its own loader).
 */
public final class Tripwires {
  /** One run of a static initializer or constructor. */
  public record Event(String what, Class<?> type) {
    @Override
    public String toString() {
      return what + " of " + type.getName() + " in " + type.getClassLoader();
    }
  }

  private static final ConcurrentLinkedQueue<Event> EVENTS = new ConcurrentLinkedQueue<>();

  private Tripwires() {}

  /** Called by the tripwires. */
  public static void ran(String what, Class<?> type) {
    EVENTS.add(new Event(what, type));
  }

  /** What ran in classes defined by {@code loader}. */
  public static List<Event> ranIn(ClassLoader loader) {
    return EVENTS.stream().filter(e -> e.type().getClassLoader() == loader).toList();
  }
}
