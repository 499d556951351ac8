package dev.mailboxthreads.remote;

import dev.mailboxthreads.remote.internal.Endpoints;
import dev.mailboxthreads.remote.internal.PublicationLoop;
import java.util.List;

/**
 * A thread published on ZeroMQ endpoints (publish-thread!): a message loop that receives what
 * is sent to the endpoints, decodes it, and puts it in the thread's mailbox. Made by {@link
 * RemoteMailboxThreads#publish(Thread, String...)}; each publication has its own loop on its own
 * platform thread, as each call of publish-thread! does.
 *
 * <p>Bad input never stops a publication: a frame that cannot be delivered is dropped, counted
 * by {@link DropReason} in {@link #stats()} and logged, and the next good one is delivered.
 *
 * <p><b>Thread safety:</b> all methods may be called from any thread.
 */
public final class Publication implements AutoCloseable {
  private final Thread thread;
  private final List<String> endpoints;
  private final List<String> address;
  private final PublicationLoop loop;
  private final RemoteContext context;
  private final Codec codec;
  /** The CURVE settings, or null for a plain publication. */
  private final CurveServer curve;

  Publication(RemoteContext context, Thread thread, List<String> endpoints,
      List<String> address, PublishOptions options, PublicationLoop loop) {
    this.context = context;
    this.thread = thread;
    this.endpoints = endpoints;
    this.codec = options.codec();
    this.curve = options.curve();
    this.address = Endpoints.address(address,
        curve == null ? null : curve.keys().publicKey());
    this.loop = loop;
  }

  /** The publication's loop, for tests. */
  PublicationLoop loop() {
    return loop;
  }

  /**
   * The published thread.
   *
   * @return the thread whose mailbox receives
   */
  public Thread thread() {
    return thread;
  }

  /**
   * The endpoints actually bound, in the order given: a wildcard port ({@code tcp://HOST:*}) is
   * replaced by the port chosen, so these can be handed to {@code connect} as they are.
   *
   * @return the bound endpoints
   */
  public List<String> endpoints() {
    return endpoints;
  }

  /**
   * The endpoints an {@link dev.mailboxthreads.Address} of the published thread travels as,
   * inside a message or as the reply address of a {@code call}: the {@link
   * PublishOptions#advertisedEndpoints() advertised endpoints} if any were set (a wildcard port
   * replaced by the port bound), else the bound ones ({@link #endpoints()}). A receiving process
   * connects to them to answer. For a CURVE publication ({@link PublishOptions#curve()}) one
   * more entry follows the endpoints: {@code curve:} and the publication's public key, so that
   * the receiving process connects with CURVE (docs/remote.md, "Addresses and replies with
   * CURVE"); it is not an endpoint, so leave it out when handing these to {@code connect}.
   *
   * <p>If a thread is published several times, its address travels as that of its oldest
   * publication still open.
   *
   * @return the endpoints (and CURVE key entry) that stand for the published thread's address
   */
  public List<String> address() {
    return address;
  }

  /**
   * The publication's counters: frames received, messages delivered, frames dropped by reason,
   * CURVE clients refused.
   *
   * @return a snapshot
   */
  public PublicationStats stats() {
    return loop.stats();
  }

  /**
   * Stops the message loop, unbinds the endpoints (an ipc socket file is removed), and returns
   * only when the loop's thread has ended. Messages not yet taken from the socket are lost, as
   * when a process ends. Idempotent; never interrupts anyone.
   */
  @Override
  public void close() {
    LocalPublications.remove(this);
    loop.close();
    context.forget(this);
  }

  RemoteContext context() {
    return context;
  }

  Codec codec() {
    return codec;
  }

  /** Whether the publication uses CURVE. */
  boolean curve() {
    return curve != null;
  }

  @Override
  public String toString() {
    return "Publication[" + thread + " on " + endpoints + "]";
  }
}
