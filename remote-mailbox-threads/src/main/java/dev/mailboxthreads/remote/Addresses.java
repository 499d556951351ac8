package dev.mailboxthreads.remote;

import dev.mailboxthreads.Address;
import dev.mailboxthreads.MailboxThreads;
import dev.mailboxthreads.remote.internal.DecodingScope;
import dev.mailboxthreads.remote.internal.Endpoints;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How an {@link Address} travels inside a message: as a list of strings, its endpoints, then,
 * if it is a CURVE publication, one last entry {@code curve:<server public key>} (40 Z85
 * characters). A plain address is its endpoints only. This is the hook a {@link Codec} uses to
 * carry address values; {@link JavaCodec} uses it for every field or element that holds an
 * address, and a codec for other languages encodes the list in its own way
 * (docs/wire-format.md, "Addresses").
 *
 * <ul>
 *   <li>{@link #endpointsOf(Address)}, when encoding: a {@link RemoteThread} travels as its
 *       endpoints; the address of a local thread as the endpoints of that thread's publication
 *       ({@link Publication#address()}), so the thread must be published. Sending a message
 *       that holds the address of an unpublished thread fails in {@code send}.
 *   <li>{@link #fromEndpoints(List)}, when decoding: an address that points back into this
 *       process (at one of its open publications) becomes that publication's local thread's
 *       address; any other becomes a {@link RemoteThread} on a connection shared by every
 *       address with the same endpoints in the receiving publication's context, opened on the
 *       first send and closed after it has been idle ({@link RemoteContext#create(
 *       java.time.Duration)}). Such a {@code RemoteThread} encodes with the receiving
 *       publication's codec.
 * </ul>
 *
 * <p><b>CURVE:</b> an address with a {@code curve:} entry is only ever sent to with CURVE,
 * never in clear. Its shared connection authenticates with the key pair of the CURVE
 * publication that decoded it, or else with the context's client key pair ({@link
 * RemoteContext#create(java.time.Duration, CurveKeyPair)}); so the publication it points at must
 * allow that public key. With neither key pair, sending to it fails with {@link
 * RemoteMailboxException} and nothing is sent.
 *
 * <p><b>Thread safety:</b> both methods may be called from any thread.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * The strings {@code address} travels as: its endpoints, then {@code curve:<key>} if it is
   * that of a CURVE publication or a {@link RemoteThread} that connects with CURVE.
   *
   * @param address a local thread's address, or a {@link RemoteThread}
   * @return at least one endpoint, then the key entry if any
   * @throws UnencodableMessageException if the address is that of a local thread that is not
   *     published (or has ended), or of an {@code Address} implementation this module does not
   *     know; the message says what to do
   */
  public static List<String> endpointsOf(Address address) {
    Objects.requireNonNull(address, "address");
    if (address instanceof RemoteThread remote) {
      return remote.address();
    }
    Thread thread = MailboxThreads.threadOf(address).orElse(null);
    if (thread == null) {
      throw new UnencodableMessageException(unknown(address), null);
    }
    Publication p = LocalPublications.of(thread);
    if (p == null) {
      throw new UnencodableMessageException("the address of " + thread + " cannot be sent to"
          + " another process: it travels as the endpoints of the thread's publication, and the"
          + " thread is not published. Publish it first, e.g. publish(thread,"
          + " \"tcp://127.0.0.1:*\"), and keep the publication open while others may answer",
          null);
    }
    return p.address();
  }

  /**
   * The address that {@code endpoints} (as {@link #endpointsOf} makes them, with the key entry
   * if any) stand for, as seen by the receiving process: the local thread they point back at,
   * or a shared {@link RemoteThread}. On a publication's I/O thread
   * (while a codec decodes) it resolves in that publication's context with its codec; on any
   * other thread in the default context ({@link RemoteMailboxThreads#defaultContext()}) with
   * {@link JavaCodec#defaults()}.
   *
   * @param endpoints the strings an address was encoded as: at least one endpoint, then
   *     optionally {@code curve:<key>}
   * @return an address, usable at once with {@code send}
   * @throws IllegalArgumentException if there are no endpoints, one is malformed, or the key
   *     entry is malformed or not last; a codec reports that as an undecodable payload
   */
  public static Address fromEndpoints(List<String> endpoints) {
    Objects.requireNonNull(endpoints, "endpoints");
    List<String> checked = Endpoints.checkAddress(endpoints.toArray(String[]::new));
    Function<List<String>, Address> resolver = DecodingScope.current();
    if (resolver != null) {
      return resolver.apply(checked);
    }
    return RemoteMailboxThreads.defaultContext().resolve(checked, JavaCodec.defaults(), null);
  }

  /**
   * The endpoints the reply to a call made from {@code replyTo} goes to: a publication of this
   * process that decodes {@code codecId}, preferably the calling thread's, else any publication
   * (replies are routed to the waiting call by correlation id, whichever publication receives
   * them). A request that travels with CURVE ({@code curve}) prefers a CURVE publication, so
   * that the reply is encrypted too.
   */
  static List<String> replyEndpoints(Address replyTo, RemoteContext context, int codecId,
      boolean curve) {
    if (replyTo instanceof RemoteThread remote) {
      return remote.address(); // a request forwarded on behalf of another process
    }
    Thread thread = MailboxThreads.threadOf(replyTo).orElse(null);
    if (thread == null) {
      throw new UnencodableMessageException(unknown(replyTo), null);
    }
    Publication p = LocalPublications.forReply(thread, context, codecId, curve);
    if (p == null) {
      throw new UnencodableMessageException("call(...) to a thread of another process needs a"
          + " way back for the reply, and no thread of this process is published: publish the"
          + " calling thread or any other (the reply is routed to the waiting call by its"
          + " correlation id), e.g. publish(Thread.currentThread(), \"tcp://127.0.0.1:*\")",
          null);
    }
    return p.address();
  }

  private static String unknown(Address address) {
    return "the address " + address + " cannot be sent to another process: only the address"
        + " of a live local thread (published) or a RemoteThread can, not that of a thread that"
        + " has ended or of another Address implementation";
  }
}
