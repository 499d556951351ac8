package dev.mailboxthreads.mbt;

import java.nio.file.Path;
import java.util.Locale;

/**
 * An endpoint given on the command line, checked before anything is opened so that a typo is a
 * usage error that names it. The library checks again; this adds what a separate process cannot
 * use: {@code inproc://} reaches only threads of the same process.
 *
 * @param text the endpoint as the library takes it (transport in lower case)
 * @param transport {@code tcp} or {@code ipc}
 * @param host for tcp: the host, without IPv6 brackets; otherwise null
 * @param port for tcp: the port, or 0 for {@code *}; otherwise 0
 * @param path for ipc: the socket file; otherwise null
 */
record Endpoint(String text, String transport, String host, int port, Path path) {
  static final String FORMS = "tcp://HOST:PORT or ipc:///path/to/socket";

  /**
   * Parses an endpoint to publish on ({@code forBind}: a tcp port may be {@code *}) or to
   * connect to.
   *
   * @throws Failure a usage error naming the endpoint and the accepted forms
   */
  static Endpoint parse(String text, boolean forBind) {
    int sep = text.indexOf("://");
    if (sep <= 0) {
      throw bad(text, "it has no transport");
    }
    String transport = text.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = text.substring(sep + 3);
    String normalized = transport + "://" + rest;
    switch (transport) {
      case "ipc" -> {
        if (rest.isEmpty()) {
          throw bad(text, "it has no path");
        }
        return new Endpoint(normalized, transport, null, 0, Path.of(rest));
      }
      case "tcp" -> {
        return tcp(text, normalized, rest, forBind);
      }
      case "inproc" -> throw Failure.usage("'" + text + "': inproc:// reaches only threads of"
          + " the same process; between processes use " + FORMS);
      default -> throw Failure.usage("'" + text + "': unsupported transport '" + transport
          + "'; use " + FORMS);
    }
  }

  private static Endpoint tcp(String text, String normalized, String rest, boolean forBind) {
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon == rest.length() - 1) {
      throw bad(text, "a tcp endpoint needs HOST:PORT");
    }
    String host = rest.substring(0, colon);
    int semicolon = host.indexOf(';'); // ZeroMQ's "source;destination" form
    if (semicolon >= 0) {
      host = host.substring(semicolon + 1);
    }
    if (host.startsWith("[") != host.endsWith("]")) {
      throw bad(text, "an IPv6 host goes in brackets, e.g. tcp://[::1]:5555");
    }
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    String port = rest.substring(colon + 1);
    if (port.equals("*")) {
      if (!forBind) {
        throw bad(text, "a port '*' (any free port) can be published on, not connected to;"
            + " give the port that 'mbt consume' printed");
      }
      return new Endpoint(normalized, "tcp", host, 0, null);
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw bad(text, "port '" + port + "' is not a number");
    }
    if (p < 1 || p > 65535) {
      throw bad(text, "port " + p + " is outside 1..65535");
    }
    if (!forBind && host.equals("*")) {
      throw bad(text, "host '*' (all interfaces) can be published on, not connected to");
    }
    return new Endpoint(normalized, "tcp", host, p, null);
  }

  private static Failure bad(String text, String why) {
    return Failure.usage("malformed endpoint '" + text + "': " + why + "; expected " + FORMS);
  }

  boolean isTcp() {
    return transport.equals("tcp");
  }

  @Override
  public String toString() {
    return text;
  }
}
