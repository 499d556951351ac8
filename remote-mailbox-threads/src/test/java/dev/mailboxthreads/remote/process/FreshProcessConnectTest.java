package dev.mailboxthreads.remote.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.PublishOptions;
import dev.mailboxthreads.remote.RemoteContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression test for JeroMQ 0.7.0's lost-registration race on connect (zeromq/jeromq#1022,
 * /tmp/notes/jeromq.md section 2): {@code Poller.run()} walks its handles in identity-hash order,
 * so in about half of fresh JVMs the connecter's cancelled handle cancels the new engine's
 * selection key and the handshake never starts. An ipc connect completes synchronously and hits
 * it every time the order is wrong; tcp rarely. Without the workaround in {@code SenderLoop}
 * (handshake interval 200 ms, reconnect 10 ms on ipc) a fresh producer's message is lost in
 * about half the runs (the linger expires). Each run is a fresh JVM, because the order is fixed
 * per JVM.
 *
 * <p>The producers send with {@link Utf8Codec}, so the message is queued right after {@code
 * connect}, while the handshake runs, as in the research's reproduction; with the default codec
 * the first send waits for the codec's warm-up (see {@link ColdStartTest}), by which time the
 * handshake has long been retried, which would hide the retry's delay.
 */
class FreshProcessConnectTest {
  private static final int RUNS = 10;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ipc", "tcp"})
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void connect_tenFreshProducerJvms_everyMessageArrives(String transport) throws Exception {
    String bind = transport.equals("ipc") ? "ipc://" + dir.resolve("fresh") : "tcp://127.0.0.1:*";
    List<OneShotRun> runs = new ArrayList<>();
    try (RemoteContext context = RemoteContext.create();
        LocalConsumer consumer = new LocalConsumer(
            context, PublishOptions.defaults().withCodec(Utf8Codec.INSTANCE), bind)) {
      String endpoint = consumer.endpoints().get(0);
      for (int i = 0; i < RUNS; i++) {
        OneShotRun run = OneShotRun.run(consumer, endpoint, transport + "-run-" + i, "utf8");
        System.out.println("fresh-process " + run);
        runs.add(run);
      }
      assertThat(consumer.publication().stats().delivered()).isEqualTo(RUNS);
    }
    System.out.printf("fresh-process %s: %d/%d delivered; connect->delivered ms %s%n", transport,
        runs.size(), RUNS, runs.stream().map(OneShotRun::connectToDeliveredMillis).toList());
    assertThat(runs).hasSize(RUNS);
  }
}
