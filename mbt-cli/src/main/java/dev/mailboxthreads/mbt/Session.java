package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.RemoteContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * What a command opened and must close when the process ends, however it ends: normally
 * ({@code main}'s finally) or with Ctrl-C (the shutdown hook). Closed last-opened first; {@link
 * #close()} is idempotent.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread; the main thread
 * registers, the shutdown hook and the main thread may close at the same time.
 */
final class Session implements AutoCloseable {
  private static final Session CURRENT = new Session();

  private final ReentrantLock lock = new ReentrantLock();
  /** Held for a whole close, so a second closer waits and the order stays last-opened first. */
  private final ReentrantLock closing = new ReentrantLock();
  /** Guarded by lock. */
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  /** Guarded by lock. */
  private RemoteContext context;
  /** Guarded by lock. */
  private boolean closed;
  private volatile boolean stopping;

  private Session() {}

  static Session current() {
    return CURRENT;
  }

  /**
   * The process's remote context, created on first use and closed at exit (connections first
   * deliver what they hold, for up to their linger).
   */
  RemoteContext context() {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("mbt is stopping");
      }
      if (context == null) {
        context = RemoteContext.create();
        resources.push(context);
      }
      return context;
    } finally {
      lock.unlock();
    }
  }

  /** Registers {@code resource} to be closed at exit; returns it. */
  <T extends AutoCloseable> T closeAtExit(T resource) {
    lock.lock();
    try {
      if (!closed) {
        resources.push(resource);
        return resource;
      }
    } finally {
      lock.unlock();
    }
    closeQuietly(resource); // the process is already stopping
    return resource;
  }

  /** Called first by the shutdown hook: failures from now on are the effect of Ctrl-C. */
  void markStopping() {
    stopping = true;
  }

  boolean isStopping() {
    return stopping;
  }

  @Override
  public void close() {
    closing.lock();
    try {
      for (;;) {
        AutoCloseable next;
        lock.lock();
        try {
          closed = true;
          next = resources.poll();
        } finally {
          lock.unlock();
        }
        if (next == null) {
          return;
        }
        closeQuietly(next);
      }
    } finally {
      closing.unlock();
    }
  }

  /**
   * Registers a temporary directory of this process to be deleted at exit, with what is left in
   * it (an ipc socket file of a child that was killed).
   */
  void deleteAtExit(Path dir) {
    closeAtExit(new AutoCloseable() {
      @Override
      public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
          for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        } catch (NoSuchFileException e) {
          // already gone
        }
      }

      @Override
      public String toString() {
        return "temporary directory " + dir;
      }
    });
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      System.getLogger("dev.mailboxthreads.mbt")
          .log(System.Logger.Level.DEBUG, "closing " + resource + " failed", e);
    }
  }
}
