package dev.mailboxthreads.remote.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * ZeroMQ's high-water marks count ZeroMQ messages and a batch frame is one, so both loops scale
 * the configured number of messages by the largest batch (docs/remote.md, "Batching").
 */
class HighWaterMarkScalingTest {
  @Test
  void receiveHwm_dividedByTheLargestBatch_atLeastOne_zeroStaysUnlimited() {
    assertThat(SenderLoop.MAX_GROUP).isEqualTo(256);
    assertThat(PublicationLoop.receiveHwm(100_000)).isEqualTo(390);
    assertThat(PublicationLoop.receiveHwm(256)).isEqualTo(1);
    assertThat(PublicationLoop.receiveHwm(10)).as("never 0, which would mean no limit")
        .isEqualTo(1);
    assertThat(PublicationLoop.receiveHwm(0)).as("0 means no limit and stays so").isZero();
  }

  @Test
  void handshakeInterval_ipcShortBackstop_tcpLonger() {
    assertThat(SenderLoop.handshakeIvlMillis(true)).isEqualTo(200);
    assertThat(SenderLoop.handshakeIvlMillis(false)).isEqualTo(2000);
  }
}
