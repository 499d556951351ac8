package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.receive;
import static dev.mailboxthreads.MailboxThreads.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ZAP handler that CURVE publications start follows its context: closing the context ends
 * its thread and gives back its socket, with the publications', as {@link LeakTest} checks for
 * everything else.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CurveLeakTest {
  private static final CurveKeyPair SERVER = CurveKeyPair.generate();
  private static final CurveKeyPair CLIENT = CurveKeyPair.generate();

  @Test
  void contextClose_afterCurvePublicationsAndARefusedClient_threadsAndFdsBackToBaseline()
      throws Exception {
    curveContext();
    LeakTest.Snapshot baseline = LeakTest.Snapshot.take();

    for (int i = 0; i < 3; i++) {
      curveContext();
    }

    LeakTest.awaitBackTo(baseline);
  }

  /**
   * Two CURVE publications (one handler), a listed, a refused and a plain (failed handshake)
   * client, then close.
   */
  private static void curveContext() {
    EndpointTest.drainMailbox();
    try (RemoteContext ctx = RemoteContext.create()) {
      Publication a = ctx.publish(Thread.currentThread(),
          CurveTest.curvePublication(SERVER, CLIENT), "tcp://127.0.0.1:*");
      Publication b = ctx.publish(Thread.currentThread(),
          CurveTest.curvePublication(SERVER, CLIENT), "tcp://127.0.0.1:*");
      assertThat(EndpointTest.mbtThreadNames()).anyMatch(n -> n.startsWith("mbt-zap-"));
      send(ctx.connect(CurveTest.curveClient(CurveKeyPair.generate(), SERVER),
          a.endpoints().get(0)), "refused");
      send(ctx.connect(CurveTest.curveClient(CLIENT, SERVER), b.endpoints().get(0)), "in");
      assertThat(receive(Duration.ofSeconds(10))).isEqualTo("in");
      BadInputTest.eventually().until(() -> a.stats().refusedClients() >= 1);
      // a failed handshake too: the publication's socket monitor must not hold anything
      send(ctx.connect(ConnectOptions.defaults().withLinger(Duration.ofMillis(300)),
          b.endpoints().get(0)), "plain to CURVE");
      BadInputTest.eventually().until(() -> b.stats().failedHandshakes() >= 1);
    }
    assertThat(EndpointTest.mbtThreadNames()).noneMatch(n -> n.startsWith("mbt-zap-"));
  }
}
