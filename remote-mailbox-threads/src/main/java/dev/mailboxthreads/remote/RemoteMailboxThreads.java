package dev.mailboxthreads.remote;

/**
 * Remote mailbox threads: publish a thread on ZeroMQ endpoints, and connect to a published
 * thread from any process to send to it exactly as to a local thread. The Java form of the
 * CHICKEN Scheme library remote-mailbox-threads. Use it together with the core:
 *
 * {@snippet :
 * import static dev.mailboxthreads.MailboxThreads.*;
 * import static dev.mailboxthreads.remote.RemoteMailboxThreads.*;
 *
 * // consumer
 * publish(Thread.currentThread(), "tcp://127.0.0.1:12345", "ipc:///tmp/nomnom");
 * System.out.println("waiting for things to consume");
 * while (true) {
 *   System.out.println("nom nom nom:" + receive());
 * }
 *
 * // producer, in another process
 * RemoteThread consumer = connect("tcp://127.0.0.1:12345");
 * send(consumer, "carrot");
 * }
 *
 * <p>Every procedure of the core is reached through {@code dev.mailboxthreads.MailboxThreads};
 * this class adds only {@code publish} and {@code connect}, so both classes can be imported
 * statically together without ambiguity.
 *
 * <p>These methods use a default {@link RemoteContext}, created on first use and closed by a
 * shutdown hook at JVM exit (connections first deliver what they hold, for up to their linger).
 * Create a {@link RemoteContext} of your own to control when everything is closed.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
public final class RemoteMailboxThreads {
  private RemoteMailboxThreads() {}

  /** Holds the default context; created on first use. */
  private static final class Default {
    static final RemoteContext CONTEXT = RemoteContext.create();

    static {
      Runtime.getRuntime().addShutdownHook(
          Thread.ofPlatform().name("mbt-shutdown").unstarted(CONTEXT::close));
    }
  }

  /**
   * The default context used by the static methods.
   *
   * @return the default context, created if needed
   */
  public static RemoteContext defaultContext() {
    return Default.CONTEXT;
  }

  /**
   * Publishes {@code thread} on {@code endpoints} (publish-thread!): binds them and starts a
   * message loop that puts whatever arrives in the thread's mailbox. Each call starts its own
   * loop.
   *
   * @param thread the thread whose mailbox receives, e.g. {@code Thread.currentThread()}
   * @param endpoints at least one of {@code tcp://HOST:PORT} (PORT may be {@code *} for a free
   *     port, see {@link Publication#endpoints()}), {@code ipc:///path}, {@code inproc://name}
   * @return the publication; close it to stop
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported transport
   * @throws RemoteMailboxException if an endpoint cannot be bound (for example, it is in use)
   */
  public static Publication publish(Thread thread, String... endpoints) {
    return Default.CONTEXT.publish(thread, endpoints);
  }

  /**
   * Publishes {@code thread} on {@code endpoints} with options.
   *
   * @param thread the thread whose mailbox receives
   * @param options codec and limits
   * @param endpoints at least one endpoint
   * @return the publication; close it to stop
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported transport
   * @throws RemoteMailboxException if an endpoint cannot be bound
   */
  public static Publication publish(Thread thread, PublishOptions options, String... endpoints) {
    return Default.CONTEXT.publish(thread, options, endpoints);
  }

  /**
   * Connects to a thread published on {@code endpoints} (connect-remote-thread). The result is
   * an {@link dev.mailboxthreads.Address}: send to it with {@code send(remote, message)}. With
   * several endpoints, messages go round-robin among them.
   *
   * @param endpoints at least one endpoint
   * @return the connection
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported transport
   * @throws RemoteMailboxException if the connection cannot be set up
   */
  public static RemoteThread connect(String... endpoints) {
    return Default.CONTEXT.connect(endpoints);
  }

  /**
   * Connects to a thread published on {@code endpoints}, with options.
   *
   * @param options codec, high-water mark, timeouts and limits
   * @param endpoints at least one endpoint
   * @return the connection
   * @throws IllegalArgumentException if an endpoint is malformed or of an unsupported transport
   * @throws RemoteMailboxException if the connection cannot be set up
   */
  public static RemoteThread connect(ConnectOptions options, String... endpoints) {
    return Default.CONTEXT.connect(options, endpoints);
  }
}
