package dev.mailboxthreads.remote.internal;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Checks ZeroMQ endpoint strings before they reach JeroMQ, so that errors name the endpoint. */
public final class Endpoints {
  private static final String FORMS = "tcp://HOST:PORT, ipc:///path or inproc://name";

  private Endpoints() {}

  /**
   * Checks the endpoints of a publish or connect call.
   *
   * @param endpoints at least one
   * @param forBind true for publish (a tcp port may be {@code *}), false for connect
   * @return the endpoints as a list, transports in lower case
   * @throws IllegalArgumentException naming the first bad endpoint and the accepted forms
   */
  public static List<String> check(String[] endpoints, boolean forBind) {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.length == 0) {
      throw new IllegalArgumentException("no endpoint given: give at least one, e.g. " + FORMS);
    }
    String[] normalized = new String[endpoints.length];
    for (int i = 0; i < endpoints.length; i++) {
      normalized[i] = check(endpoints[i], forBind);
    }
    return List.of(normalized);
  }

  /** Checks one endpoint; returns it with the transport in lower case. */
  static String check(String endpoint, boolean forBind) {
    Objects.requireNonNull(endpoint, "endpoint");
    int sep = endpoint.indexOf("://");
    if (sep <= 0) {
      throw bad(endpoint, "it has no transport");
    }
    String transport = endpoint.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = endpoint.substring(sep + 3);
    switch (transport) {
      case "tcp" -> checkTcp(endpoint, rest, forBind);
      case "ipc", "inproc" -> {
        if (rest.isEmpty()) {
          throw bad(endpoint, "it has no " + (transport.equals("ipc") ? "path" : "name"));
        }
      }
      default -> throw new IllegalArgumentException("unsupported transport '" + transport
          + "' in endpoint '" + endpoint + "': use " + FORMS);
    }
    return transport + "://" + rest;
  }

  private static void checkTcp(String endpoint, String rest, boolean forBind) {
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon == rest.length() - 1) {
      throw bad(endpoint, "a tcp endpoint needs HOST:PORT");
    }
    String host = rest.substring(0, colon);
    String port = rest.substring(colon + 1);
    if (host.startsWith("[") != host.endsWith("]")) {
      throw bad(endpoint, "an IPv6 host goes in brackets, e.g. tcp://[::1]:5555");
    }
    if (port.equals("*")) {
      if (!forBind) {
        throw bad(endpoint, "a wildcard port can be bound, not connected to");
      }
      return;
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw bad(endpoint, "port '" + port + "' is not a number");
    }
    if (p < 1 || p > 65535) {
      throw bad(endpoint, "port " + p + " is outside 1..65535");
    }
    if (!forBind && host.equals("*")) {
      throw bad(endpoint, "'*' (all interfaces) can be bound, not connected to");
    }
  }

  private static IllegalArgumentException bad(String endpoint, String why) {
    return new IllegalArgumentException(
        "malformed endpoint '" + endpoint + "': " + why + "; expected " + FORMS);
  }
}
