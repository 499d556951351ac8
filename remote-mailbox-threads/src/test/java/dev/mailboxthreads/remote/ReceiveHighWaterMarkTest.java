package dev.mailboxthreads.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a publication's socket is given as ZMQ_RCVHWM: divided by the largest batch only when its
 * codec's connections batch by default (docs/remote.md, "Batching"). A MsgpackCodec publication
 * given the divided mark read its peers' lone frames through a pipe of 390 and ran its streams at
 * about two thirds of their rate (docs/benchmarks.md, "Session 11"); its mark is the setting,
 * capped at 4,096 lone frames as a connection's is (ZeroMQ has no byte bound).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceiveHighWaterMarkTest {
  private static int socketMark(PublishOptions options) {
    try (RemoteContext ctx = RemoteContext.create();
        Publication pub = ctx.publish(Thread.currentThread(), options, "tcp://127.0.0.1:*")) {
      return pub.loop().socketReceiveHighWaterMark();
    }
  }

  @Test
  void javaCodec_dividedByTheLargestBatch() {
    assertThat(socketMark(PublishOptions.defaults().withReceiveHighWaterMark(100_000)))
        .isEqualTo(390);
  }

  @Test
  void msgpackCodec_asSetUpToTheLoneFrameCap() {
    assertThat(socketMark(PublishOptions.defaults().withCodec(MsgpackCodec.defaults())
        .withReceiveHighWaterMark(100_000))).isEqualTo(ConnectOptions.ZMQ_MAX_UNBATCHED);
    assertThat(socketMark(PublishOptions.defaults().withCodec(MsgpackCodec.defaults())
        .withReceiveHighWaterMark(1_000))).isEqualTo(1_000);
  }
}
