package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailboxthreads.remote.Codec;
import dev.mailboxthreads.remote.ConnectOptions;
import dev.mailboxthreads.remote.JavaCodec;
import dev.mailboxthreads.remote.MsgpackCodec;
import org.junit.jupiter.api.Test;

/**
 * ZeroMQ's high-water marks count ZeroMQ messages and a batch frame is one, so both loops scale
 * the configured number of messages by the largest batch where batches are the default
 * (docs/remote.md, "Batching").
 */
class HighWaterMarkScalingTest {
  @Test
  void receiveHwm_javaCodec_dividedByTheLargestBatch_atLeastOne_zeroStaysUnlimited() {
    Codec java = JavaCodec.defaults();
    assertThat(SenderLoop.MAX_GROUP).isEqualTo(256);
    assertThat(PublicationLoop.receiveHwm(100_000, java)).isEqualTo(390);
    assertThat(PublicationLoop.receiveHwm(256, java)).isEqualTo(1);
    assertThat(PublicationLoop.receiveHwm(10, java)).as("never 0, which would mean no limit")
        .isEqualTo(1);
    assertThat(PublicationLoop.receiveHwm(0, java)).as("0 means no limit and stays so").isZero();
  }

  @Test
  void receiveHwm_otherCodecs_whoseSendersDoNotBatchByDefault_asSetUpToTheLoneFrameCap() {
    Codec msgpack = MsgpackCodec.defaults();
    assertThat(ConnectOptions.defaults().withCodec(msgpack).batches())
        .as("the rule mirrors the senders' default").isFalse();
    assertThat(ConnectOptions.defaults().batches()).isTrue();
    assertThat(PublicationLoop.receiveHwm(100_000, msgpack)).as("capped as a connection's")
        .isEqualTo(ConnectOptions.ZMQ_MAX_UNBATCHED);
    assertThat(PublicationLoop.receiveHwm(4_096, msgpack)).isEqualTo(4_096);
    assertThat(PublicationLoop.receiveHwm(10, msgpack)).isEqualTo(10);
    assertThat(PublicationLoop.receiveHwm(0, msgpack)).isZero();
  }

  @Test
  void sendHwm_batching_dividedByTheLargestBatch_otherwiseAsSetUpToTheUnbatchedCap() {
    ConnectOptions batching = ConnectOptions.defaults();
    assertThat(SenderLoop.socketHighWaterMark(batching)).isEqualTo(390);
    assertThat(SenderLoop.socketHighWaterMark(batching.withSendHighWaterMark(10))).isEqualTo(1);
    ConnectOptions lone = ConnectOptions.defaults().withCodec(MsgpackCodec.defaults());
    assertThat(lone.batches()).isFalse();
    assertThat(ConnectOptions.ZMQ_MAX_UNBATCHED).isEqualTo(4096);
    assertThat(SenderLoop.socketHighWaterMark(lone)).as("100,000 capped").isEqualTo(4096);
    assertThat(SenderLoop.socketHighWaterMark(lone.withSendHighWaterMark(10))).isEqualTo(10);
    assertThat(SenderLoop.socketHighWaterMark(batching.withBatching(false))).isEqualTo(4096);
  }

  @Test
  void handshakeInterval_ipcShortBackstop_tcpLonger() {
    assertThat(SenderLoop.handshakeIvlMillis(true)).isEqualTo(200);
    assertThat(SenderLoop.handshakeIvlMillis(false)).isEqualTo(2000);
  }
}
