package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Endpoints of publish and connect: every supported transport delivers, and every bad endpoint
 * fails at the call with a message that names it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EndpointTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @BeforeEach
  void emptyMailbox() {
    drainMailbox();
  }

  @Test
  void publish_tcpWildcardPort_endpointsReportsThePortChosenAndDelivers() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      assertThat(pub.endpoints()).singleElement().asString()
          .matches("tcp://127\\.0\\.0\\.1:\\d+")
          .doesNotEndWith(":0");
      int port = port(pub.endpoints().get(0));
      assertThat(port).isBetween(1, 65535);

      send(ctx.connect(pub.endpoints().get(0)), "over tcp");

      assertThat(receive(WAIT)).isEqualTo("over tcp");
    }
  }

  @Test
  void publish_tcpExplicitPort_delivers() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      String endpoint = "tcp://127.0.0.1:" + freePort();

      Publication pub = ctx.publish(Thread.currentThread(), endpoint);
      assertThat(pub.endpoints()).containsExactly(endpoint);
      send(ctx.connect(endpoint), "to an explicit port");

      assertThat(receive(WAIT)).isEqualTo("to an explicit port");
    }
  }

  @Test
  void publish_transportInUpperCase_isAccepted() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "TCP://127.0.0.1:*");
      send(ctx.connect(pub.endpoints().get(0).toUpperCase(java.util.Locale.ROOT)), "upper");

      assertThat(receive(WAIT)).isEqualTo("upper");
    }
  }

  @Test
  void publish_ipc_delivers() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String endpoint = "ipc://" + dir.resolve("a.sock");
      Publication pub = ctx.publish(Thread.currentThread(), endpoint);
      assertThat(pub.endpoints()).containsExactly(endpoint);

      send(ctx.connect(endpoint), "over ipc");

      assertThat(receive(WAIT)).isEqualTo("over ipc");
    }
  }

  @Test
  void publish_inproc_deliversWithinTheContext() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "inproc://endpoint-test");
      assertThat(pub.endpoints()).containsExactly("inproc://endpoint-test");

      send(ctx.connect("inproc://endpoint-test"), "over inproc");

      assertThat(receive(WAIT)).isEqualTo("over inproc");
    }
  }

  @Test
  void publish_threeTransportsAtOnce_eachDelivers() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + dir.resolve("b.sock");
      Publication pub =
          ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*", ipc, "inproc://three");
      assertThat(pub.endpoints()).hasSize(3);
      for (String endpoint : pub.endpoints()) {
        send(ctx.connect(endpoint), endpoint);
      }

      Set<Object> got = Set.of(receive(WAIT), receive(WAIT), receive(WAIT));

      assertThat(got).containsExactlyInAnyOrderElementsOf(pub.endpoints());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "127.0.0.1:5555",          // no transport
      "://127.0.0.1:5555",       // empty transport
      "tcp://127.0.0.1",         // no port
      "tcp://127.0.0.1:",        // empty port
      "tcp://:5555",             // no host
      "tcp://127.0.0.1:0",       // port 0
      "tcp://127.0.0.1:70000",   // port out of range
      "tcp://127.0.0.1:abc",     // port not a number
      "tcp://[::1:5555",         // unbalanced IPv6 bracket
      "ipc://",                  // empty ipc path
      "inproc://",               // empty inproc name
  })
  void publishAndConnect_malformedEndpoint_illegalArgumentNamingIt(String endpoint) {
    try (RemoteContext ctx = RemoteContext.create()) {
      Set<String> before = mbtThreadNames();

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), endpoint))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + endpoint + "'")
          .hasMessageContaining("malformed endpoint");
      assertThatThrownBy(() -> ctx.connect(endpoint))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + endpoint + "'")
          .hasMessageContaining("malformed endpoint");
      assertThat(mbtThreadNames())
          .as("a rejected endpoint starts no I/O thread")
          .isSubsetOf(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"udp://127.0.0.1:5555", "pgm://eth0;239.192.1.1:5555",
      "epgm://eth0;239.192.1.1:5555", "ws://127.0.0.1:5555", "foo://bar"})
  void publishAndConnect_unsupportedTransport_illegalArgumentNamingIt(String endpoint) {
    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), endpoint))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unsupported transport")
          .hasMessageContaining("'" + endpoint + "'");
      assertThatThrownBy(() -> ctx.connect(endpoint))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unsupported transport")
          .hasMessageContaining("'" + endpoint + "'");
    }
  }

  @Test
  void publish_badEndpointAfterGoodOnes_failsWithoutBindingAny() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + dir.resolve("c.sock");

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc, "tcp://127.0.0.1:abc"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tcp://127.0.0.1:abc");

      assertThat(dir.resolve("c.sock")).doesNotExist();
    }
  }

  @Test
  void connect_wildcardPort_refusedClearly() {
    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.connect("tcp://127.0.0.1:*"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'tcp://127.0.0.1:*'")
          .hasMessageContaining("wildcard port can be bound, not connected to");
    }
  }

  @Test
  void connect_wildcardHost_refusedClearly() {
    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.connect("tcp://*:5555"))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'tcp://*:5555'")
          .hasMessageContaining("can be bound, not connected to");
    }
  }

  @Test
  void publishAndConnect_noEndpoint_illegalArgument() {
    try (RemoteContext ctx = RemoteContext.create()) {
      assertThatThrownBy(() -> ctx.publish(Thread.currentThread()))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no endpoint given");
      assertThatThrownBy(() -> ctx.connect())
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no endpoint given");
    }
  }

  @Test
  void publish_tcpPortInUse_remoteMailboxExceptionSaysInUse() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication first = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*");
      String taken = first.endpoints().get(0);

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), taken))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + taken + "'")
          .hasMessageContaining("in use");

      send(ctx.connect(taken), "first still works");
      assertThat(receive(WAIT)).isEqualTo("first still works");
    }
  }

  @Test
  void publish_tcpPortInUseByAnotherContext_remoteMailboxExceptionSaysInUse() {
    try (RemoteContext a = RemoteContext.create(); RemoteContext b = RemoteContext.create()) {
      String taken = a.publish(Thread.currentThread(), "tcp://127.0.0.1:*").endpoints().get(0);

      assertThatThrownBy(() -> b.publish(Thread.currentThread(), taken))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("in use");
    }
  }

  @Test
  void publish_secondEndpointInUse_firstIsUnboundAgain() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String taken = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*").endpoints().get(0);
      Path sock = dir.resolve("d.sock");
      String ipc = "ipc://" + sock;
      Set<String> before = mbtThreadNames();

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc, taken))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("in use");

      assertThat(sock).as("the ipc endpoint bound before the failure is unbound").doesNotExist();
      assertThat(mbtThreadNames()).isSubsetOf(before);
      try (Publication again = ctx.publish(Thread.currentThread(), ipc)) {
        assertThat(again.endpoints()).containsExactly(ipc);
      }
    }
  }

  @Test
  void publish_ipcPathInUse_remoteMailboxExceptionSaysInUse() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + dir.resolve("e.sock");
      ctx.publish(Thread.currentThread(), ipc);

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("in use");
    }
  }

  @Test
  void publish_inprocNameInUse_remoteMailboxExceptionSaysInUse() {
    try (RemoteContext ctx = RemoteContext.create()) {
      ctx.publish(Thread.currentThread(), "inproc://taken");

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), "inproc://taken"))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'inproc://taken'")
          .hasMessageContaining("in use");
    }
  }

  @Test
  void publish_ipcInMissingDirectory_saysTheDirectoryDoesNotExist() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Path missing = dir.resolve("no-such-dir");
      String ipc = "ipc://" + missing.resolve("f.sock");

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("the directory " + missing + " does not exist")
          .hasMessageNotContaining("in use");
      assertThat(missing).doesNotExist();
    }
  }

  @Test
  void publish_ipcPathTooLong_saysThePathIsTooLong() throws Exception {
    try (RemoteContext ctx = RemoteContext.create()) {
      // the directory exists, so only the length is wrong: 108 bytes and more do not fit sun_path
      Path deep = Files.createDirectories(dir.resolve("x".repeat(100)));
      String name = deep.resolve("g.sock").toString();
      assertThat(name.length()).isGreaterThan(107);
      String ipc = "ipc://" + name;

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("the path is longer than")
          .hasMessageNotContaining("in use");
    }
  }

  /**
   * The JDK binds a Unix socket path of at most 106 bytes on Linux: sun_path holds 108 and the
   * JDK keeps two back (MAX_UNIX_DOMAIN_PATH_LEN). A 107-byte path passes IpcPaths' check (limit
   * 107) and then fails inside JeroMQ, which reports every ipc bind failure as "address in use".
   */
  @Test
  void publish_ipcPathOf107Bytes_saysThePathIsTooLong() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + pathOfBytes(107);

      assertThatThrownBy(() -> ctx.publish(Thread.currentThread(), ipc))
          .isExactlyInstanceOf(RemoteMailboxException.class)
          .hasMessageContaining("'" + ipc + "'")
          .hasMessageContaining("the path is longer than")
          .hasMessageNotContaining("in use");
    }
  }

  @Test
  void publish_ipcPathOf106Bytes_isAccepted() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + pathOfBytes(106);

      Publication pub = ctx.publish(Thread.currentThread(), ipc);
      send(ctx.connect(ipc), "longest path");

      assertThat(receive(WAIT)).isEqualTo("longest path");
      assertThat(pub.stats().received()).isEqualTo(1);
    }
  }

  /** A path in the temp dir whose UTF-8 form is exactly {@code bytes} long. */
  private String pathOfBytes(int bytes) {
    String prefix = dir.toString() + "/";
    int room = bytes - prefix.length();
    assertThat(room).as("TempDir path too long for this test").isPositive();
    String name = prefix + "y".repeat(room);
    assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(bytes);
    return name;
  }

  /** A port that was free a moment ago (a plain JDK server socket's close is synchronous). */
  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void publication_endpoints_canBeConnectedToAsTheyAre() {
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://localhost:*", "tcp://*:*");
      List<String> endpoints = pub.endpoints();

      assertThat(endpoints).hasSize(2).allMatch(e -> !e.endsWith(":*"));
      // "tcp://*:*" is reported with the address actually bound (0.0.0.0), which can be
      // connected to only as 127.0.0.1; send through localhost's form.
      send(ctx.connect(endpoints.get(0)), "via localhost");
      send(ctx.connect("tcp://127.0.0.1:" + port(endpoints.get(1))), "via any");

      assertThat(Set.of(receive(WAIT), receive(WAIT)))
          .containsExactlyInAnyOrder("via localhost", "via any");
      assertThat(endpoints.stream().map(EndpointTest::port).collect(Collectors.toSet()))
          .hasSize(2);
    }
  }

  /** Takes whatever an earlier test left in this thread's mailbox. */
  static void drainMailbox() {
    Object none = new Object();
    while (receive(Duration.ZERO, none) != none) {
      // discard
    }
  }

  /** The port of a tcp endpoint. */
  static int port(String tcpEndpoint) {
    return Integer.parseInt(tcpEndpoint.substring(tcpEndpoint.lastIndexOf(':') + 1));
  }

  /** Names of the live platform threads this library starts ("mbt-" prefix). */
  static Set<String> mbtThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("mbt-"))
        .collect(Collectors.toSet());
  }
}
