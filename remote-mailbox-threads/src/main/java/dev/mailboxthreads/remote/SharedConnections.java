package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.IoThreads;
import dev.mailboxthreads.remote.internal.SenderLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.StampedLock;
import org.zeromq.ZMQ;

/**
 * The connections of one context that serve decoded addresses: one per distinct endpoint list,
 * codec and CURVE keys (server key and client key pair; a CURVE address is only ever sent to
 * with CURVE), opened by the first send and closed after {@code idleTimeout} without sends, so a
 * server answering many clients holds sockets only for those that talk to it now. The {@link
 * RemoteThread}s that decoding makes are light handles that look their connection up here on
 * every send, so they stay usable after their connection was closed for idleness: the next send
 * opens a new one.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
final class SharedConnections {
  /*
   * Concurrency.
   *
   * `entries` maps a key to its live Entry. An Entry's SenderLoop is started as the entry is
   * made (inside computeIfAbsent, so one per key) and closed once, by whoever retires the entry:
   * the sweeper when it has been idle, or close(). A sender holds the entry's read lock while it
   * offers; retiring takes the write lock and sets `retired`, so no frame is ever offered to a
   * loop that is being closed, and every frame offered before is delivered by the loop's close
   * (it hands what it holds to the socket, which lingers). A sender that finds its entry retired
   * removes it from the map and looks the key up again.
   *
   * The sweeper retires an entry only with tryWriteLock (never waiting behind a sender blocked
   * on a full queue) and only if nothing waits in the loop's own queue. Frames already handed
   * to ZeroMQ are delivered during the linger, as at any close; if the receiver stays down for
   * the whole linger they are lost (at most once), as for any closed connection. A connection
   * to a receiver that is down therefore does not live for ever.
   *
   * Closing races opening: open() inserts the entry, then reads `closed`; close() writes
   * `closed`, then walks the map. Both are sequentially consistent (volatile, ConcurrentHashMap),
   * so one of them sees the other, and the entry is retired either way.
   */
  private static final AtomicInteger IDS = new AtomicInteger();

  /**
   * A connection's identity: what it connects to and how it encodes, and for a CURVE address
   * the server's public key and the key pair it authenticates with.
   *
   * @param endpoints the endpoints, without the key entry
   * @param codec encodes what is sent
   * @param serverKey the CURVE server public key the address carries; null for a plain address
   * @param clientKeys the key pair to connect with; null for a plain address, and for a CURVE
   *     address when no key pair is available, which makes every send fail
   */
  record Key(List<String> endpoints, Codec codec, String serverKey, CurveKeyPair clientKeys) {}

  private static final class Entry {
    final SenderLoop loop;
    final StampedLock lock = new StampedLock();
    /** Guarded by lock (written under the write lock, read under the read lock). */
    boolean retired;
    /** Written by senders (racy, but benign: any recent value will do). */
    volatile long lastUsedNanos = System.nanoTime();

    Entry(SenderLoop loop) {
      this.loop = loop;
    }

    /** Offers the frame or String (see SharedConnections.offer); false if retired (not sent). */
    boolean offer(Object item) {
      long stamp = lock.readLock();
      try {
        if (retired) {
          return false;
        }
        lastUsedNanos = System.nanoTime();
        if (item instanceof String s) {
          loop.offerString(s);
        } else {
          loop.offer((byte[]) item);
        }
        return true;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    /** Retires the entry if it is idle and empty and nobody is sending; true if it did. */
    boolean retireIfIdle(long now, long idleNanos) {
      long stamp = lock.tryWriteLock();
      if (stamp == 0) {
        return false;
      }
      try {
        if (retired || now - lastUsedNanos < idleNanos || loop.stats().queued() > 0) {
          return false;
        }
        retired = true;
        return true;
      } finally {
        lock.unlockWrite(stamp);
      }
    }

    void retire() {
      long stamp = lock.writeLock();
      retired = true;
      lock.unlockWrite(stamp);
    }
  }

  private final RemoteContext context;
  private final ZMQ.Context zmq;
  private final long idleNanos;
  private final String name;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled by close() to stop the sweeper. */
  private final Condition stop = lock.newCondition();
  /** Guarded by lock; started on first use. */
  private Thread sweeper;
  private volatile boolean closed;

  SharedConnections(RemoteContext context, ZMQ.Context zmq, Duration idleTimeout) {
    this.context = context;
    this.zmq = zmq;
    this.idleNanos = idleTimeout.toNanos();
    this.name = "mbt-shared-connections-" + IDS.incrementAndGet();
  }

  /**
   * Sends on the connection of {@code key}, opening it if needed: an encoded frame ({@code
   * byte[]}), or a String for {@link SenderLoop#offerString} (the key's codec is a JavaCodec).
   *
   * @throws RemoteMailboxException if the context is closed or the connection cannot be set up
   */
  void offer(Key key, Object item) {
    for (;;) {
      Entry e = entries.get(key);
      if (e == null) {
        e = open(key);
      }
      if (e.offer(item)) {
        return;
      }
      entries.remove(key, e);
    }
  }

  private Entry open(Key key) {
    if (closed) {
      throw new RemoteMailboxException(context + " is closed: a decoded address can no longer"
          + " be sent to", null);
    }
    if (key.serverKey() != null && key.clientKeys() == null) {
      throw new RemoteMailboxException("the address " + key.endpoints() + " is a CURVE"
          + " publication (server key " + key.serverKey() + "), and nothing may be sent to it"
          + " in clear; there is no key pair to connect with: publish the thread that received"
          + " the address with CURVE (its key pair is used), or create the context with"
          + " RemoteContext.create(idleTimeout, clientKeys); the publication must allow that"
          + " public key. Nothing was sent", null);
    }
    ensureSweeper();
    Entry e = entries.computeIfAbsent(key, k -> {
      ConnectOptions options = ConnectOptions.defaults().withCodec(k.codec());
      if (k.serverKey() != null) {
        options = options.withCurve(new CurveClient(k.clientKeys(), k.serverKey()));
      }
      SenderLoop loop = new SenderLoop(zmq, options, k.endpoints());
      loop.start();
      return new Entry(loop);
    });
    if (closed) {
      closeEntry(key, e);
      throw new RemoteMailboxException(context + " was closed meanwhile", null);
    }
    return e;
  }

  /** The connection's counters, zero when it is not open now. */
  ConnectionStats stats(Key key) {
    Entry e = entries.get(key);
    return e == null ? new ConnectionStats(0, 0, 0, 0) : e.loop.stats();
  }

  /** Connections open now. */
  int size() {
    return entries.size();
  }

  private void ensureSweeper() {
    lock.lock();
    try {
      if (sweeper == null && !closed) {
        sweeper = Thread.ofPlatform().daemon().name(name).start(this::sweep);
      }
    } finally {
      lock.unlock();
    }
  }

  private void sweep() {
    long period = Math.clamp(idleNanos / 2, TimeUnit.MILLISECONDS.toNanos(5),
        TimeUnit.SECONDS.toNanos(5));
    for (;;) {
      lock.lock();
      try {
        long wait = period;
        while (!closed && wait > 0) {
          wait = stop.awaitNanos(wait);
        }
        if (closed) {
          return;
        }
      } catch (InterruptedException e) {
        return; // nobody interrupts this thread; if someone does, close() still closes all
      } finally {
        lock.unlock();
      }
      long now = System.nanoTime();
      for (Map.Entry<Key, Entry> en : entries.entrySet()) {
        Entry e = en.getValue();
        if (e.retireIfIdle(now, idleNanos)) {
          entries.remove(en.getKey(), e);
          e.loop.close();
        }
      }
    }
  }

  private void closeEntry(Key key, Entry e) {
    e.retire();
    entries.remove(key, e);
    e.loop.close();
  }

  /** Starts closing every connection now, without waiting (see SenderLoop.beginClose). */
  void beginClose() {
    for (Entry e : entries.values()) {
      e.loop.beginClose();
    }
  }

  /** Stops the sweeper and closes every connection (each delivers what it holds first). */
  void close() {
    Thread s;
    lock.lock();
    try {
      closed = true;
      stop.signalAll();
      s = sweeper;
    } finally {
      lock.unlock();
    }
    if (s != null) {
      IoThreads.join(s);
    }
    for (Map.Entry<Key, Entry> en : entries.entrySet()) {
      closeEntry(en.getKey(), en.getValue());
    }
  }
}
