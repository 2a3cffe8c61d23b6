package io.dilemma.worker.serving.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dilemma.contract.ShardPlan.CutQuantization;

/**
 * The frame decoder faces the network: whatever bytes arrive, it either decodes a frame that
 * re-encodes to the same size or throws {@link MalformedFrameException}, and never allocates more
 * than a legitimate frame. In a normal build this replays the seed corpus in
 * src/test/resources/.../ActivationFrameFuzzTestInputs; {@code JAZZER_FUZZ=1} fuzzes (README).
 */
class ActivationFrameFuzzTest {
  private static final FrameLimits LIMITS = new FrameLimits(16, 64);

  @FuzzTest(maxDuration = "20s")
  void decodesOrRejectsAnyBytes(byte[] input) {
    DecodedFrame frame;
    try {
      frame = ActivationFrameCodec.decode(input, LIMITS);
    } catch (MalformedFrameException rejected) {
      assertThat(rejected.getMessage()).startsWith("activation frame").doesNotContain("\n");
      return;
    }
    assertThat(frame.hidden()).hasSize(frame.tokens() * frame.width());
    CutQuantization cut = new CutQuantization(frame.rho(), frame.highBits(), frame.lowBits());
    assertThat(ActivationFrameCodec.encode(frame.hidden(), frame.width(), frame.highPrecision(), cut))
        .hasSize(input.length);
  }
}
