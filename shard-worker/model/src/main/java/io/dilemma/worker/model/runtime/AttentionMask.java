package io.dilemma.worker.model.runtime;

/** Additive causal mask {@code [1, 1, tokens, past+tokens]}: 0 where a query may attend, −∞ elsewhere. */
final class AttentionMask {
  private AttentionMask() {}

  static float[] causal(int past, int tokens) {
    int total = past + tokens;
    float[] mask = new float[tokens * total];
    for (int q = 0; q < tokens; q++) {
      for (int k = past + q + 1; k < total; k++) {
        mask[q * total + k] = Float.NEGATIVE_INFINITY;
      }
    }
    return mask;
  }
}
