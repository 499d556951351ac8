package dev.mailboxthreads.remote.internal;

import dev.mailboxthreads.remote.CurveServer;
import dev.mailboxthreads.remote.RemoteMailboxException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.ZError;

/**
 * The ZAP handler (ZeroMQ RFC 27) of one ZeroMQ context: a platform thread that owns a REP
 * socket bound to {@value #ENDPOINT} and answers the authentication requests that the
 * context's CURVE server sockets send during each handshake, allowing a client only if its
 * public key is allowed by the publication it connects to.
 *
 * <p>JeroMQ 0.7.0 ({@code CurveServerMechanism.processInitiate}, {@code
 * SessionBase.zapConnect}) asks the handler bound to {@value #ENDPOINT} in the socket's own
 * context; when no handler is bound there, it lets <em>every</em> client in. So the handler is
 * started before the first CURVE publication binds, and closed only after the last one closed
 * ({@link #close()} waits for the registrations to end). Each CURVE publication sets its own
 * ZAP domain and registers its policy under it: one handler serves every publication of the
 * context, each with its own allowed keys. A request for an unknown domain, or of another
 * mechanism than CURVE, is refused: the handler fails closed.
 *
 * <p><b>Thread safety:</b> {@link #register}, {@link #start} and {@link #close} may be called
 * from any thread; only the handler's thread touches the socket.
 */
public final class ZapHandler implements AutoCloseable {
  /** Where JeroMQ looks for the handler, in each context. */
  public static final String ENDPOINT = "inproc://zeromq.zap.01";

  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** What one publication allows; {@code refused} counts a refusal and returns the count. */
  private record Policy(CurveServer curve, String publication, LongSupplier refused) {}

  private final ZMQ.Context context;
  private final Thread ioThread;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  /** ZAP domain to policy; read by the handler's thread, written by publications. */
  private final Map<String, Policy> policies = new ConcurrentHashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a registration ends. */
  private final Condition unregistered = lock.newCondition();
  /** Guarded by lock; once true, no registration is accepted. */
  private boolean closed;

  /** Set by close() once no publication is registered; read by the handler's thread. */
  private volatile boolean closing;
  /** The handler's wait for requests, which close() cancels. */
  private final SocketWait wait = new SocketWait();

  /**
   * Creates the handler; call {@link #start()} next.
   *
   * @param context the context whose CURVE sockets it serves
   * @param name the context's name, for the thread's name
   */
  public ZapHandler(ZMQ.Context context, String name) {
    this.context = context;
    this.ioThread = Thread.ofPlatform()
        .daemon()
        .name("mbt-zap-" + name + "-" + IDS.incrementAndGet())
        .unstarted(this::run);
  }

  /**
   * Starts the handler's thread and returns once the socket is bound.
   *
   * @throws RemoteMailboxException if {@value #ENDPOINT} cannot be bound
   */
  public void start() {
    IoThreads.start(ioThread, ready, "start the ZAP handler (CURVE authentication)");
  }

  /**
   * Registers a publication's policy under its ZAP domain, for as long as the returned handle
   * is not closed.
   *
   * @param domain the ZAP domain the publication's socket sets; unique in the context
   * @param curve what it allows
   * @param publication names the publication in log lines
   * @param refused counts a refusal, returning the count so far
   * @return closes the registration; idempotent
   * @throws RemoteMailboxException if the handler is closed
   */
  public AutoCloseable register(String domain, CurveServer curve, String publication,
      LongSupplier refused) {
    lock.lock();
    try {
      if (closed) {
        throw new RemoteMailboxException("the context is closed; create a new RemoteContext",
            null);
      }
      if (policies.putIfAbsent(domain, new Policy(curve, publication, refused)) != null) {
        throw new IllegalStateException("ZAP domain registered twice: " + domain);
      }
    } finally {
      lock.unlock();
    }
    return () -> {
      lock.lock();
      try {
        if (policies.remove(domain) != null) {
          unregistered.signalAll();
        }
      } finally {
        lock.unlock();
      }
    };
  }

  /**
   * Refuses new registrations, waits (up to 10 s) until every registered publication has ended
   * its registration, so that none is ever left without a handler, then stops the thread and
   * returns once it has ended. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      long nanos = CLOSE_WAIT_NANOS;
      while (!policies.isEmpty() && nanos > 0) {
        nanos = unregistered.awaitNanos(nanos);
      }
      if (!policies.isEmpty()) {
        Logs.remote().log(Level.ERROR, "closing the ZAP handler while CURVE publications are still open: "
            + policies.values().stream().map(Policy::publication).toList());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close anyway; the caller keeps its interrupt
    } finally {
      lock.unlock();
    }
    closing = true;
    wait.cancel();
    IoThreads.join(ioThread);
  }

  /**
   * The handler's thread, for tests and diagnostics.
   *
   * @return the thread
   */
  public Thread ioThread() {
    return ioThread;
  }

  private void run() {
    ZMQ.Socket socket = null;
    try {
      try {
        socket = context.socket(SocketType.REP);
        socket.setLinger(0);
        if (!socket.bind(ENDPOINT)) {
          throw ZmqErrors.bindFailed(ENDPOINT, socket.errno(), null);
        }
        wait.open(socket);
      } catch (RuntimeException e) {
        ready.completeExceptionally(e);
        return;
      }
      ready.complete(null);
      loop(socket);
    } catch (RuntimeException | Error e) {
      Logs.remote().log(Level.ERROR, "the ZAP handler stopped by an unexpected failure; CURVE handshakes"
          + " of this context wait for it until their handshake timeout, and are refused", e);
    } finally {
      if (socket != null) {
        wait.closing();
        socket.close();
      }
    }
  }

  private void loop(ZMQ.Socket socket) {
    while (!closing) {
      if (answer(socket)) {
        continue;
      }
      // waits in JeroMQ for a request (SocketWait); close() sets `closing` and cancels it
      if (!wait.await(socket, zmq.ZMQ.ZMQ_POLLIN, 1000, true) && SocketWait.terminated(socket)) {
        closing = true;
      }
    }
  }

  /** Answers one request if there is one; false if there was none. */
  private boolean answer(ZMQ.Socket socket) {
    List<byte[]> request = new ArrayList<>(7);
    try {
      byte[] frame = socket.recv(ZMQ.DONTWAIT);
      if (frame == null) {
        return false;
      }
      request.add(frame);
      while (socket.hasReceiveMore()) {
        request.add(socket.recv(0)); // the parts of a message arrive together
      }
    } catch (ZMQException e) {
      if (e.getErrorCode() == ZError.ETERM) {
        closing = true;
        return false;
      }
      throw e;
    }
    String[] reply;
    try {
      reply = decide(request);
    } catch (RuntimeException e) {
      Logs.remote().log(Level.ERROR, "the ZAP handler failed on a request; refusing it", e);
      reply = new String[] {"500", "internal error", ""};
    }
    byte[] requestId = request.size() > 1 ? request.get(1) : new byte[0];
    socket.sendMore("1.0");
    socket.sendMore(requestId);
    socket.sendMore(reply[0]);
    socket.sendMore(reply[1]);
    socket.sendMore(reply[2]);
    socket.send(new byte[0]); // no metadata
    return true;
  }

  /**
   * The status code, status text and user id for a request: version, request id, domain,
   * address, identity, mechanism, then (CURVE) the client's 32-byte public key.
   */
  private String[] decide(List<byte[]> request) {
    if (request.size() < 6 || !"1.0".equals(text(request.get(0)))) {
      return new String[] {"500", "malformed ZAP request", ""};
    }
    String domain = text(request.get(2));
    String address = text(request.get(3));
    String mechanism = text(request.get(5));
    Policy policy = policies.get(domain);
    if (policy == null) {
      return new String[] {"400", "no CURVE publication with this ZAP domain", ""};
    }
    if (!"CURVE".equals(mechanism) || request.size() != 7 || request.get(6).length != 32) {
      return new String[] {"400", "only CURVE is accepted", ""};
    }
    String clientKey = ZMQ.Curve.z85Encode(request.get(6));
    CurveServer curve = policy.curve();
    if (curve.anyClient() || curve.allowedClientKeys().contains(clientKey)) {
      return new String[] {"200", "OK", clientKey};
    }
    long n = policy.refused().getAsLong();
    Level level = n == 1 ? Level.WARNING : Level.DEBUG;
    if (Logs.remote().isLoggable(level)) {
      Logs.remote().log(level, "publication " + policy.publication() + " refused a CURVE client from "
          + address + " with public key " + clientKey + ": the key is not allowed (CurveServer)"
          + " [" + n + " refusal(s) so far; see PublicationStats.refusedClients"
          + (n == 1 ? "; later refusals are logged at DEBUG" : "") + "]");
    }
    return new String[] {"400", "client key not allowed", ""};
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
