package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailboxthreads.mbt.Reachability.Talk;
import dev.mailboxthreads.remote.Publication;
import dev.mailboxthreads.remote.RemoteContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe of {@code mbt produce} against a publication, a dead port, and peers that are not
 * publications. Its promise to a publication: a probe is never a failed handshake (the flake of
 * {@code ConsumeProduceTest}: a probe that gave up after 1 s on a fresh, slow consumer was
 * counted, and the consumer warned).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReachabilityTest {
  private static final int PROBES = 20;
  /** Scheduling slack on a loaded 2-core machine. */
  private static final long SLACK_MILLIS = 1_000;

  @TempDir Path dir;

  private static long in(long millis) {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static Endpoint endpoint(String text) {
    return Endpoint.parse(text, false);
  }

  @Test
  void probes_againstAPublication_completeTheHandshake_neverCountAFailedOne() throws Exception {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*",
            "ipc://" + dir.resolve("pub"))) {
      List<Endpoint> endpoints = pub.endpoints().stream().map(ReachabilityTest::endpoint).toList();
      for (int i = 0; i < PROBES; i++) {
        for (Endpoint e : endpoints) {
          // COMPLETED: the publication closed the connection after the probe's end, so its
          // socket monitor has seen this connection end, and counted it or not, by now
          assertThat(Reachability.talk(e, in(Reachability.TALK_MILLIS)))
              .as("probe %d of %s", i, e).isEqualTo(Talk.COMPLETED);
        }
      }
      assertThat(Reachability.await(endpoints, in(Reachability.TALK_MILLIS))).isEmpty();
      assertThat(pub.stats().failedHandshakes()).as("failed handshakes").isZero();
    }
  }

  @Test
  void deadPort_refusedAtOnce_awaitSaysSoByTheDeadline() throws Exception {
    Endpoint dead;
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      dead = endpoint("tcp://127.0.0.1:" + ((InetSocketAddress) s.getLocalAddress()).getPort());
    }
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Reachability.talk(dead, in(5_000)))
        .isInstanceOf(ConnectException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(SLACK_MILLIS);

    Endpoint noFile = endpoint("ipc://" + dir.resolve("nobody"));
    t0 = System.nanoTime();
    Map<Endpoint, String> missing = Reachability.await(List.of(dead, noFile), in(300));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
        .isLessThan(300 + SLACK_MILLIS);
    assertThat(missing).containsExactly(Map.entry(dead, "connection refused"),
        Map.entry(noFile, "no socket file at " + dir.resolve("nobody")));
  }

  @Test
  void silentPeer_noAnswerByTheDeadline_stillReachable() throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0)); // the kernel accepts; nobody answers
      Endpoint silent = endpoint("tcp://127.0.0.1:"
          + ((InetSocketAddress) s.getLocalAddress()).getPort());
      long t0 = System.nanoTime();
      assertThat(Reachability.talk(silent, in(300))).isEqualTo(Talk.NO_ANSWER);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
          .isLessThan(300 + SLACK_MILLIS);
      assertThat(Reachability.await(List.of(silent), in(300))).isEmpty();
    }
  }

  @Test
  void notZmtpPeer_toldApart() throws Exception {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      Endpoint http = endpoint("tcp://127.0.0.1:"
          + ((InetSocketAddress) s.getLocalAddress()).getPort());
      Thread server = Thread.ofVirtual().start(() -> {
        try (SocketChannel c = s.accept()) {
          c.write(ByteBuffer.wrap(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
              + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
          c.read(ByteBuffer.allocate(64)); // until the probe leaves
        } catch (IOException e) {
          // the probe went
        }
      });
      assertThat(Reachability.talk(http, in(5_000))).isEqualTo(Talk.NOT_ZMTP);
      assertThat(server.join(java.time.Duration.ofSeconds(10))).isTrue();
    }
  }
}
