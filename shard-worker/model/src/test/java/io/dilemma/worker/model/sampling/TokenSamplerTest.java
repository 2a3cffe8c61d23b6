package io.dilemma.worker.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenSamplerTest {
  private final float[] logits = {0.1f, 2.0f, 1.9f, -1f};

  @Test
  void zeroTemperatureIsTheArgMax() {
    assertThat(TokenSampler.greedy().sample(logits)).isEqualTo(1);
  }

  @Test
  void theSameSeedDrawsTheSameTokensAndDrawsFollowTheSoftmax() {
    TokenSampler a = new TokenSampler(1.0, 42);
    TokenSampler b = new TokenSampler(1.0, 42);
    int[] counts = new int[logits.length];
    for (int i = 0; i < 20_000; i++) {
      int token = a.sample(logits);
      assertThat(b.sample(logits)).isEqualTo(token);
      counts[token]++;
    }
    // softmax: p(1) ≈ 0.47, p(2) ≈ 0.43, p(0) ≈ 0.07, p(3) ≈ 0.02
    assertThat(counts[1] / 20_000.0).isBetween(0.44, 0.50);
    assertThat(counts[3] / 20_000.0).isBetween(0.01, 0.035);
  }
}
