package dev.mailboxthreads.remote.interop;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static dev.mailboxthreads.MailboxThreads.start;
import static dev.mailboxthreads.remote.interop.InteropSupport.WAIT;
import static dev.mailboxthreads.remote.interop.InteropSupport.awaitReady;
import static dev.mailboxthreads.remote.interop.InteropSupport.peer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.MsgpackCodec;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import dev.mailboxthreads.remote.RemoteThread;
import dev.mailboxthreads.remote.process.ChildJvm;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Java {@code RemoteThread} with the interop codec sends to a Python PULL socket (pyzmq on the
 * C libzmq) over tcp and ipc, and Python checks every type and value; a Java connection to a
 * Python peer and a Java publication at once shares its messages between them (round-robin).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JavaToPythonTest {
  private static final ConnectOptions OPTIONS =
      ConnectOptions.defaults().withCodec(MsgpackCodec.defaults());

  enum Color { RED, GREEN }

  record Order(String item, int qty, Color color, List<Double> prices) {}

  @TempDir Path dir;

  @BeforeEach
  void setUp() {
    InteropSupport.requirePython();
    InteropSupport.drainMailbox();
  }

  /** What interop_peer.py's EXPECTED describes, in the same order. */
  static List<Object> samples() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", "egg");
    map.put("count", 2);
    map.put("tags", List.of("x", "y"));
    Map<Integer, String> intKeys = new LinkedHashMap<>();
    intKeys.put(1, "one");
    intKeys.put(2, "two");
    Map<String, Object> empties = new LinkedHashMap<>();
    empties.put("empty string", "");
    empties.put("empty list", List.of());
    empties.put("empty map", Map.of());
    empties.put("nothing", null);
    return List.of(
        "carrot",
        42,
        -7L,
        Long.MAX_VALUE,
        new BigInteger("18446744073709551615"),
        3.5d,
        1.5f,
        true,
        new byte[] {0, 1, (byte) 0xFF},
        Arrays.asList("a", 1, null, false),
        map,
        new Order("egg", 2, Color.GREEN, List.of(1.25, 2.5)),
        Color.RED,
        Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
        "h\u00e9llo \u2713 \uD834\uDD1E",
        '\u00df',
        new int[] {1, 2, 3},
        new LinkedHashSet<>(List.of("p", "q")),
        intKeys,
        empties);
  }

  private String bindEndpoint(String transport, String name) {
    return transport.equals("tcp") ? "tcp://127.0.0.1:*" : "ipc://" + dir.resolve(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ipc"})
  void javaSend_everyType_pythonPullSeesTheDocumentedPythonValues(String transport)
      throws Exception {
    List<Object> samples = samples();
    try (ChildJvm python =
            peer("pull", bindEndpoint(transport, "py.sock"), Integer.toString(samples.size()));
        RemoteContext ctx = RemoteContext.create()) {
      RemoteThread remote = ctx.connect(OPTIONS, awaitReady(python));
      assertThat(python.awaitLine(l -> l.startsWith("EXPECTING "), WAIT))
          .as("interop_peer.py's EXPECTED has one entry per sample, in the same order")
          .isEqualTo("EXPECTING " + samples.size());

      for (Object sample : samples) {
        send(remote, sample);
      }

      String done = python.awaitLine(l -> l.startsWith("DONE "), WAIT);
      assertThat(done).as("python's verdict; its lines: %s", python.lines())
          .isEqualTo("DONE ok=" + samples.size() + " bad=0");
      assertThat(python.awaitExit(WAIT)).as("python exit status").isZero();
      // counted by the connection's I/O thread just after the hand-over to ZeroMQ
      await().atMost(WAIT)
          .untilAsserted(() -> assertThat(remote.stats().sent()).isEqualTo(samples.size()));
    }
  }

  /**
   * One connection to two endpoints, a Python PULL socket and a Java publication: ZeroMQ's
   * round-robin gives each its share, and together they get every message exactly once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tcp", "ipc"})
  void connectToPythonAndJava_roundRobin_bothGetTheirShare(String transport) throws Exception {
    int n = 200;
    Queue<Object> toJava = new ConcurrentLinkedQueue<>();
    Thread javaPeer = start(() -> {
      for (Object m = receive(); !m.equals("stop"); m = receive()) {
        toJava.add(m);
      }
    });
    try (ChildJvm python = peer("count", bindEndpoint(transport, "py.sock"));
        RemoteContext ctx = RemoteContext.create()) {
      Publication pub = ctx.publish(javaPeer,
          PublishOptions.defaults().withCodec(MsgpackCodec.defaults()),
          bindEndpoint(transport, "java.sock"));
      RemoteThread remote = ctx.connect(OPTIONS, awaitReady(python), pub.endpoints().get(0));

      for (int i = 0; i < n; i++) {
        send(remote, "m" + i);
      }

      Awaitility.await().atMost(WAIT).until(() -> toJava.size() + gotLines(python).size() == n);
      List<String> toPython = gotLines(python);
      send(javaPeer, "stop");
      assertThat(javaPeer.join(WAIT)).as("the Java peer ended").isTrue();

      Set<Object> all = new HashSet<>(toJava);
      all.addAll(toPython);
      assertThat(all).as("every message exactly once").hasSize(n);
      assertThat(toJava.size() + toPython.size()).isEqualTo(n);
      assertThat(toJava.size()).as("the Java publication's share").isGreaterThanOrEqualTo(n / 4);
      assertThat(toPython.size()).as("the Python peer's share").isGreaterThanOrEqualTo(n / 4);
    } finally {
      send(javaPeer, "stop");
      javaPeer.join(WAIT);
    }
  }

  private static List<String> gotLines(ChildJvm python) {
    List<String> got = new ArrayList<>();
    for (String line : python.lines()) {
      if (line.startsWith("GOT ")) {
        got.add(line.substring("GOT ".length()));
      }
    }
    return got;
  }
}
