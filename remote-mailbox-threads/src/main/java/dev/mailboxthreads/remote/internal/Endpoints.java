package dev.mailboxthreads.remote.internal;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Checks ZeroMQ endpoint strings before they reach JeroMQ, so that errors name the endpoint. */
public final class Endpoints {
  private static final String FORMS = "tcp://HOST:PORT, ipc:///path or inproc://name";

  /**
   * Prefix of the entry that follows the endpoints of a CURVE publication's address: {@code
   * curve:} then the publication's public key, 40 Z85 characters (docs/wire-format.md).
   */
  public static final String CURVE_PREFIX = "curve:";

  /** Most entries an address may have, endpoints and key entry together. */
  public static final int MAX_ADDRESS_ENTRIES = 255;

  private Endpoints() {}

  /**
   * Checks the entries an address travels as: one or more endpoints that can be connected to,
   * then, for a CURVE publication, one last entry {@code curve:<public key>}.
   *
   * @param entries the decoded entries
   * @return them as a list, transports in lower case
   * @throws IllegalArgumentException naming the first bad entry and what is expected
   */
  public static List<String> checkAddress(String[] entries) {
    Objects.requireNonNull(entries, "entries");
    if (entries.length > MAX_ADDRESS_ENTRIES) {
      throw new IllegalArgumentException("an address of " + entries.length + " entries; at most "
          + MAX_ADDRESS_ENTRIES + " (endpoints and CURVE key together)");
    }
    int n = entries.length;
    String key = null;
    if (n > 0 && entries[n - 1] != null && entries[n - 1].startsWith(CURVE_PREFIX)) {
      key = CurveKeys.check(entries[n - 1].substring(CURVE_PREFIX.length()),
          "the CURVE server key of an address");
      n--;
      if (n == 0) {
        throw new IllegalArgumentException("an address with a CURVE key and no endpoint: it"
            + " needs at least one endpoint before '" + entries[n] + "'");
      }
    }
    String[] endpoints = java.util.Arrays.copyOf(entries, n);
    for (int i = 0; i < n; i++) {
      if (endpoints[i] != null && endpoints[i].startsWith(CURVE_PREFIX)) {
        throw new IllegalArgumentException("entry " + (i + 1) + " of " + entries.length + " of an"
            + " address is a CURVE key; it may only come once, after all the endpoints");
      }
    }
    List<String> checked = check(endpoints, false);
    if (key == null) {
      return checked;
    }
    for (String e : checked) {
      if (e.startsWith("inproc://")) {
        throw new IllegalArgumentException("an address with a CURVE key has the endpoint " + e
            + ": inproc connections have no handshake, so CURVE cannot apply");
      }
    }
    String[] out = checked.toArray(new String[n + 1]);
    out[n] = CURVE_PREFIX + key;
    return List.of(out);
  }

  /**
   * The CURVE server key of a checked address ({@link #checkAddress}).
   *
   * @param address the address's entries
   * @return the key, or null for a plain address
   */
  public static String serverKey(List<String> address) {
    String last = address.get(address.size() - 1);
    return last.startsWith(CURVE_PREFIX) ? last.substring(CURVE_PREFIX.length()) : null;
  }

  /**
   * The endpoints of a checked address ({@link #checkAddress}), without its CURVE key entry.
   *
   * @param address the address's entries
   * @return the endpoints
   */
  public static List<String> endpointsOf(List<String> address) {
    return serverKey(address) == null ? address : address.subList(0, address.size() - 1);
  }

  /**
   * The entries an address travels as ({@link #checkAddress}).
   *
   * @param endpoints the endpoints
   * @param serverKey the CURVE server's public key, or null for a plain address
   * @return the endpoints, followed by {@code curve:<serverKey>} if there is a key
   */
  public static List<String> address(List<String> endpoints, String serverKey) {
    if (serverKey == null) {
      return endpoints;
    }
    String[] out = endpoints.toArray(new String[endpoints.size() + 1]);
    out[endpoints.size()] = CURVE_PREFIX + serverKey;
    return List.of(out);
  }

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

  /**
   * Checks advertised endpoints: endpoints that can be connected to, except that a tcp port may
   * be {@code *}, which stands for a port bound by the publication ({@link #advertise}).
   *
   * @param endpoints the advertised endpoints, possibly none
   * @return them as a list, transports in lower case
   * @throws IllegalArgumentException naming the first bad endpoint
   */
  public static List<String> checkAdvertised(List<String> endpoints) {
    String[] normalized = new String[endpoints.size()];
    for (int i = 0; i < normalized.length; i++) {
      String e = Objects.requireNonNull(endpoints.get(i), "endpoint");
      boolean wildcardPort = e.regionMatches(true, 0, "tcp://", 0, 6) && e.endsWith(":*");
      normalized[i] = check(e, wildcardPort);
      if (wildcardPort && e.substring(6).startsWith("*:")) {
        throw bad(e, "'*' (all interfaces) can be bound, not advertised; advertise a host name"
            + " or address that others can connect to");
      }
    }
    return List.of(normalized);
  }

  /**
   * The endpoints a publication advertises: {@code advertised} with each wildcard port replaced,
   * in order, by the port of the next bound tcp endpoint; or {@code bound} if none are
   * advertised.
   *
   * @param advertised checked by {@link #checkAdvertised}
   * @param bound the endpoints actually bound
   * @return the endpoints to advertise
   * @throws IllegalArgumentException if there are more wildcard ports than bound tcp endpoints
   */
  public static List<String> advertise(List<String> advertised, List<String> bound) {
    if (advertised.isEmpty()) {
      return bound;
    }
    List<String> boundTcp = bound.stream().filter(b -> b.startsWith("tcp://")).toList();
    String[] out = new String[advertised.size()];
    int next = 0;
    for (int i = 0; i < out.length; i++) {
      String a = advertised.get(i);
      if (a.startsWith("tcp://") && a.endsWith(":*")) {
        if (next >= boundTcp.size()) {
          throw new IllegalArgumentException("advertised endpoint '" + a + "' takes the port of"
              + " bound tcp endpoint " + (next + 1) + ", but only " + boundTcp.size()
              + " tcp endpoint(s) are bound: " + bound);
        }
        String port = boundTcp.get(next).substring(boundTcp.get(next).lastIndexOf(':') + 1);
        next++;
        out[i] = a.substring(0, a.length() - 1) + port;
      } else {
        out[i] = a;
      }
    }
    return List.of(out);
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
