package dev.mailboxthreads.mbt;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteMailboxException;
import dev.mailboxthreads.remote.RemoteThread;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Publish and connect through the session's context, with the library's failures turned into
 * {@link Failure}s and their exit codes: a malformed endpoint is a usage error, an endpoint that
 * cannot be bound is {@link Exit#CANNOT_PUBLISH}.
 */
final class Remote {
  private Remote() {}

  static Publication publish(Thread thread, PublishOptions options, List<Endpoint> endpoints) {
    String[] texts = endpoints.stream().map(Endpoint::text).toArray(String[]::new);
    try {
      return Session.current().context().publish(thread, options, texts);
    } catch (IllegalArgumentException e) {
      throw Failure.usage(e.getMessage());
    } catch (RemoteMailboxException e) {
      throw new Failure(Exit.CANNOT_PUBLISH, diagnoseBind(e.getMessage(), endpoints));
    }
  }

  /**
   * JeroMQ reports every failed tcp bind as "address in use"; a plain Java bind of the same
   * address tells the real cause (no such local address, permission), which then replaces it.
   */
  private static String diagnoseBind(String message, List<Endpoint> endpoints) {
    for (Endpoint e : endpoints) {
      if (!e.isTcp() || !message.contains("'" + e.text() + "'") || !message.contains("in use")) {
        continue;
      }
      String cannot = "cannot publish on '" + e + "': ";
      try (ServerSocket socket = new ServerSocket()) {
        InetAddress address = e.host().equals("*") ? null : InetAddress.getByName(e.host());
        socket.bind(new InetSocketAddress(address, e.port()));
      } catch (UnknownHostException x) {
        return cannot + "unknown host '" + e.host() + "'; use 127.0.0.1, * or a name of this"
            + " machine";
      } catch (BindException x) {
        String why = String.valueOf(x.getMessage()).toLowerCase(Locale.ROOT);
        if (why.contains("assign")) {
          return cannot + "no local interface has the address " + e.host() + "; use 127.0.0.1,"
              + " * or an address of this machine";
        }
        if (why.contains("permission")) {
          return cannot + "permission denied; use a port above 1023";
        }
      } catch (IOException | SecurityException x) {
        // keep the library's message
      }
    }
    return message;
  }

  static RemoteThread connect(ConnectOptions options, List<Endpoint> endpoints) {
    String[] texts = endpoints.stream().map(Endpoint::text).toArray(String[]::new);
    try {
      return Session.current().context().connect(options, texts);
    } catch (IllegalArgumentException e) {
      throw Failure.usage(e.getMessage());
    } catch (RemoteMailboxException e) {
      throw Failure.unreachable(e.getMessage());
    }
  }

  /** Parses endpoints from the command line; see {@link Endpoint#parse}. */
  static List<Endpoint> parse(List<String> texts, boolean forBind) {
    return texts.stream().map(t -> Endpoint.parse(t, forBind)).toList();
  }
}
