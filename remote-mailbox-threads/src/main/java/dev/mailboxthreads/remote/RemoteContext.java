package dev.mailboxthreads.remote;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.internal.CountFirstSignals;
import dev.mailboxthreads.remote.internal.Endpoints;
import dev.mailboxthreads.remote.internal.PublicationLoop;
import dev.mailboxthreads.remote.internal.SenderLoop;
import dev.mailboxthreads.remote.internal.Logs;
import dev.mailboxthreads.remote.internal.ZapHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.zeromq.ZMQ;

/**
 * A ZeroMQ context with the publications and connections made through it. The static methods
 * of {@link RemoteMailboxThreads} use a default context, created on first use and closed at JVM
 * exit; create your own for tests and containers, where everything must be closed at a known
 * moment. {@code inproc://} endpoints reach only publications of the same context.
 *
 * <p>A context also holds the <i>shared connections</i> that serve addresses decoded from
 * messages by its publications ({@link Addresses}): one per distinct endpoint list, codec and
 * CURVE keys,
 * opened by the first send to such an address and closed once it has carried nothing for the
 * idle timeout ({@link #create(Duration)}; default {@value #DEFAULT_IDLE_SECONDS} s) and holds
 * nothing queued. A later send opens it again. {@link #sharedConnectionCount()} tells how many
 * are open.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread. Closing while another
 * thread publishes or connects is safe: that call then fails with {@link
 * RemoteMailboxException}.
 */
public final class RemoteContext implements AutoCloseable {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** Seconds a shared connection stays open without sends, by default. */
  public static final int DEFAULT_IDLE_SECONDS = 60;

  private final ZMQ.Context zmq;
  private final SharedConnections shared;
  private final String name;
  /** Publications and connections not yet closed. */
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  /** ZeroMQ threads that ended with an exception; see {@link #ioThreadFailed}. */
  private final AtomicLong ioThreadFailures = new AtomicLong();
  /**
   * The ZAP handler that CURVE publications need, started by the first of them; null until
   * then. Guarded by zapLock; closed by close() after every publication.
   */
  private ZapHandler zap;
  private final Object zapLock = new Object();
  /**
   * The key pair that shared connections to CURVE addresses use when the address was not
   * decoded by a CURVE publication; null for none. Final.
   */
  private final CurveKeyPair curveClientKeys;

  private RemoteContext(Duration idleTimeout, CurveKeyPair curveClientKeys) {
    this.curveClientKeys = curveClientKeys;
    this.name = "mbt-zmq-" + IDS.incrementAndGet();
    this.zmq = ZMQ.context(1);
    AtomicInteger threads = new AtomicInteger();
    this.zmq.setThreadFactor((runnable, threadName) -> Thread.ofPlatform()
        .daemon()
        .name(name + "-" + threadName + "-" + threads.incrementAndGet())
        .uncaughtExceptionHandler(this::ioThreadFailed)
        .unstarted(CountFirstSignals.wrap(runnable)));
    // what an I/O thread's poller catches from an event handler (the thread goes on); JeroMQ
    // prints those to stderr by default
    this.zmq.setNotificationExceptionHandler(this::ioEventFailed);
    this.shared = new SharedConnections(this, zmq, idleTimeout);
  }

  /**
   * Creates a context with one ZeroMQ I/O thread. Close it when done.
   *
   * @return a new context
   */
  public static RemoteContext create() {
    return new RemoteContext(Duration.ofSeconds(DEFAULT_IDLE_SECONDS), null);
  }

  /**
   * Creates a context whose shared connections (those serving decoded addresses) are closed
   * after {@code sharedConnectionIdleTimeout} without sends. Close it when done.
   *
   * @param sharedConnectionIdleTimeout more than zero
   * @return a new context
   * @throws IllegalArgumentException if the timeout is zero or negative
   */
  public static RemoteContext create(Duration sharedConnectionIdleTimeout) {
    Objects.requireNonNull(sharedConnectionIdleTimeout, "sharedConnectionIdleTimeout");
    if (sharedConnectionIdleTimeout.isNegative() || sharedConnectionIdleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "sharedConnectionIdleTimeout <= 0: " + sharedConnectionIdleTimeout);
    }
    return new RemoteContext(sharedConnectionIdleTimeout, null);
  }

  /**
   * Creates a context whose shared connections to CURVE addresses (decoded addresses that carry
   * a {@code curve:} key entry, docs/remote.md) authenticate with {@code curveClientKeys} when
   * the address was not decoded by a CURVE publication (which uses its own key pair): replies
   * to calls received by a plain publication, and addresses decoded outside any publication
   * ({@link Addresses#fromEndpoints} on another thread resolves in the default context, which
   * has no such key pair). The publications those addresses point at must allow {@code
   * curveClientKeys.publicKey()}. Close the context when done.
   *
   * @param sharedConnectionIdleTimeout more than zero
   * @param curveClientKeys the key pair to connect to CURVE addresses with
   * @return a new context
   * @throws IllegalArgumentException if the timeout is zero or negative
   */
  public static RemoteContext create(Duration sharedConnectionIdleTimeout,
      CurveKeyPair curveClientKeys) {
    Objects.requireNonNull(curveClientKeys, "curveClientKeys");
    Objects.requireNonNull(sharedConnectionIdleTimeout, "sharedConnectionIdleTimeout");
    if (sharedConnectionIdleTimeout.isNegative() || sharedConnectionIdleTimeout.isZero()) {
      throw new IllegalArgumentException(
          "sharedConnectionIdleTimeout <= 0: " + sharedConnectionIdleTimeout);
    }
    return new RemoteContext(sharedConnectionIdleTimeout, curveClientKeys);
  }

  /**
   * Publishes {@code thread} on {@code endpoints} with default options; see {@link
   * RemoteMailboxThreads#publish(Thread, String...)}.
   *
   * @param thread the thread whose mailbox receives
   * @param endpoints at least one of {@code tcp://HOST:PORT} (PORT may be {@code *}), {@code
   *     ipc:///path}, {@code inproc://name}
   * @return the publication; close it to stop
   */
  public Publication publish(Thread thread, String... endpoints) {
    return publish(thread, PublishOptions.defaults(), endpoints);
  }

  /**
   * Publishes {@code thread} on {@code endpoints}.
   *
   * @param thread the thread whose mailbox receives
   * @param options codec and limits
   * @param endpoints at least one endpoint
   * @return the publication; close it to stop
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported transport,
   *     or the options advertise more wildcard ports than tcp endpoints are bound, or have CURVE
   *     and an endpoint is {@code inproc://}
   * @throws RemoteMailboxException if an endpoint cannot be bound (for example, it is in use)
   */
  public Publication publish(Thread thread, PublishOptions options, String... endpoints) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(options, "options");
    List<String> checked = Endpoints.check(endpoints, true);
    if (options.curve() != null) {
      refuseInproc(checked, "publish inproc endpoints without CURVE, in a publication of their"
          + " own");
    }
    ensureOpen();
    Codec codec = options.codec();
    PublicationLoop loop = new PublicationLoop(zmq, thread, options, checked,
        found -> resolve(found, codec, options.curve()),
        options.curve() == null ? null : zapHandler());
    List<String> bound = loop.start();
    List<String> address;
    try {
      address = Endpoints.advertise(options.advertisedEndpoints(), bound);
    } catch (IllegalArgumentException e) {
      loop.close();
      throw e;
    }
    Publication publication = new Publication(this, thread, bound, address, options, loop);
    register(publication);
    LocalPublications.add(publication);
    if (closed) {
      publication.close();
    }
    return publication;
  }

  /**
   * Connects to a thread published on {@code endpoints} with default options; see {@link
   * RemoteMailboxThreads#connect(String...)}.
   *
   * @param endpoints at least one endpoint; several are sent to round-robin
   * @return the connection, an {@link dev.mailboxthreads.Address}
   */
  public RemoteThread connect(String... endpoints) {
    return connect(ConnectOptions.defaults(), endpoints);
  }

  /**
   * Connects to a thread published on {@code endpoints}. Connecting does not wait for the
   * receiver: messages sent before it is reachable wait in the connection's queue.
   *
   * @param options codec, high-water mark, timeouts and limits
   * @param endpoints at least one endpoint; several are sent to round-robin
   * @return the connection, an {@link dev.mailboxthreads.Address}
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported
   *     transport, or the options have CURVE and an endpoint is {@code inproc://}
   * @throws RemoteMailboxException if the connection cannot be set up
   */
  public RemoteThread connect(ConnectOptions options, String... endpoints) {
    Objects.requireNonNull(options, "options");
    List<String> checked = Endpoints.check(endpoints, false);
    if (options.curve() != null) {
      refuseInproc(checked, "connect to inproc endpoints without CURVE");
    }
    ensureOpen();
    SenderLoop loop = new SenderLoop(zmq, options, checked);
    loop.start();
    RemoteThread remote = new RemoteThread(this, checked, options, loop);
    register(remote);
    return remote;
  }

  /**
   * Closes every publication and connection of this context (connections deliver what they
   * hold, for up to their linger), then terminates the ZeroMQ context. Returns when all their
   * threads have ended. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (AutoCloseable c : open) {
      if (c instanceof Publication p) {
        LocalPublications.remove(p); // no new address resolves to it from now on
      }
    }
    List<AutoCloseable> all = new ArrayList<>(open);
    // publications first: they stop at once; connections may linger
    all.sort((a, b) -> Boolean.compare(a instanceof RemoteThread, b instanceof RemoteThread));
    for (AutoCloseable c : all) {
      if (c instanceof RemoteThread r) {
        r.beginClose(); // their lingers run together, not one after another
      }
    }
    shared.beginClose();
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        Logs.remote().log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
      }
    }
    shared.close();
    synchronized (zapLock) {
      if (zap != null) {
        zap.close(); // after the publications: none is ever left without it
      }
    }
    synchronized (zmq) {
      if (!zmq.isTerminated()) {
        zmq.term();
      }
    }
  }

  /**
   * How many of this context's ZeroMQ threads (its I/O thread, JeroMQ's reaper) have ended with
   * an exception. Zero in a healthy context; after one such failure while the context is open,
   * its publications and connections no longer move messages: close it and create a new one.
   *
   * @return the count since the context was created
   */
  public long ioThreadFailures() {
    return ioThreadFailures.get();
  }

  /**
   * A ZeroMQ thread of this context ended with {@code e}: counted, and logged as an error while
   * the context is open. While it closes, JeroMQ 0.7.0 can still deliver a last command to a
   * socket it has already destroyed ({@code ClosedChannelException} from {@code
   * Signaler.send}, seen at JVM exit); nothing is left to move messages then, so that is
   * logged at DEBUG.
   */
  void ioThreadFailed(Thread thread, Throwable e) {
    ioThreadFailures.incrementAndGet();
    System.Logger log = Logs.remote();
    if (closed) {
      log.log(System.Logger.Level.DEBUG, thread.getName() + " ended with " + e + " while "
          + this + " was closing", e);
    } else {
      log.log(System.Logger.Level.ERROR, thread.getName() + ", a ZeroMQ thread of " + this
          + ", ended with " + e + ": this context's publications and connections no longer"
          + " move messages; close it and create a new RemoteContext", e);
    }
  }

  /**
   * An event handler on a ZeroMQ I/O thread threw {@code e}, which the thread's poller caught
   * (the thread goes on). JeroMQ 0.7.0's termination race is one: a term-ack sent to a socket
   * that is already destroyed fails with {@code ClosedChannelException} from {@code
   * Signaler.send} (docs/remote.md, JeroMQ traps); nothing is lost, as that socket is gone, so
   * it is logged at DEBUG, as is anything while the context closes. Anything else is an ERROR.
   */
  void ioEventFailed(Thread thread, Throwable e) {
    boolean terminationRace = e instanceof zmq.ZError.IOException
        && e.getCause() instanceof java.nio.channels.ClosedChannelException;
    System.Logger log = Logs.remote();
    if (closed || terminationRace) {
      log.log(System.Logger.Level.DEBUG, "an event on " + thread.getName() + " of " + this
          + " failed with " + e + (closed ? " while it was closing" : " (JeroMQ's termination"
          + " race: a command to a socket already destroyed)"), e);
    } else {
      log.log(System.Logger.Level.ERROR, "an event on " + thread.getName() + ", a ZeroMQ thread"
          + " of " + this + ", failed with " + e + "; the thread goes on, but what that event"
          + " carried is lost", e);
    }
  }

  /**
   * True once {@link #close()} has been called.
   *
   * @return whether this context is closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Shared connections open now (see the class description).
   *
   * @return how many
   */
  public int sharedConnectionCount() {
    return shared.size();
  }

  /**
   * The address that a checked {@code address} ({@link Endpoints#checkAddress}) stands for in
   * this context: the local thread whose publication it points at, or a shared {@link
   * RemoteThread} that encodes with {@code codec}. A CURVE address's connection authenticates
   * with the key pair of {@code decodedBy}, the CURVE settings of the publication that decoded
   * it (null if none), else with the context's client key pair, else with none (sends fail).
   */
  Address resolve(List<String> address, Codec codec, CurveServer decodedBy) {
    List<String> endpoints = Endpoints.endpointsOf(address);
    Publication local = LocalPublications.pointedAt(endpoints, this);
    if (local != null) {
      return MailboxThreads.addressOf(local.thread());
    }
    String serverKey = Endpoints.serverKey(address);
    CurveKeyPair clientKeys = serverKey == null ? null
        : decodedBy != null ? decodedBy.keys() : curveClientKeys;
    return new RemoteThread(this, shared,
        new SharedConnections.Key(endpoints, codec, serverKey, clientKeys));
  }

  /**
   * ZeroMQ joins inproc sockets by a direct pipe, with no handshake: CURVE, and the check of
   * the client's key, would silently not apply there.
   */
  private static void refuseInproc(List<String> endpoints, String whatToDo) {
    for (String endpoint : endpoints) {
      if (endpoint.startsWith("inproc://")) {
        throw new IllegalArgumentException("CURVE does not apply to " + endpoint + ": inproc"
            + " connections have no handshake; " + whatToDo);
      }
    }
  }

  /** The context's ZAP handler, started on first use. */
  private ZapHandler zapHandler() {
    synchronized (zapLock) {
      ensureOpen();
      if (zap == null) {
        ZapHandler handler = new ZapHandler(zmq, name);
        handler.start();
        zap = handler;
      }
      return zap;
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new RemoteMailboxException(this + " is closed; create a new RemoteContext", null);
    }
  }

  private void register(AutoCloseable resource) {
    open.add(resource);
    if (closed) { // close() may have missed it: it reads `open` after writing `closed`
      try {
        resource.close();
      } catch (Exception ignored) {
        // reported below
      }
      throw new RemoteMailboxException(this + " was closed meanwhile", null);
    }
  }

  void forget(AutoCloseable resource) {
    open.remove(resource);
  }

  @Override
  public String toString() {
    return "RemoteContext[" + name + "]";
  }
}
