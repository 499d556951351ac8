package dev.mailboxthreads.remote;

import static dev.mailboxthreads.MailboxThreads.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SmokeTest {
  @TempDir Path dir;

  @Test
  void sendOverTcpAndIpc_inOneProcess_arrives() {
    try (RemoteContext ctx = RemoteContext.create()) {
      String ipc = "ipc://" + dir.resolve("nomnom");
      Publication pub = ctx.publish(Thread.currentThread(), "tcp://127.0.0.1:*", ipc);
      assertThat(pub.endpoints().get(0)).matches("tcp://127\\.0\\.0\\.1:\\d+");
      RemoteThread a = ctx.connect(pub.endpoints().get(0));
      RemoteThread b = ctx.connect(ipc);
      send(a, "carrot");
      send(b, "egg");
      assertThat(java.util.List.of(receive(Duration.ofSeconds(10)), receive(Duration.ofSeconds(10))))
          .containsExactlyInAnyOrder("carrot", "egg");
      // delivered is counted just after the hand-off, so the receiver can be first
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(pub.stats().delivered()).isEqualTo(2));
    }
  }
}
