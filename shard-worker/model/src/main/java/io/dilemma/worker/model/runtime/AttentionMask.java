package io.dilemma.worker.model.runtime;

import java.util.Arrays;

/**
 * The additive mask {@code [1, 1, rows, pasts+rows]} of one run over several sessions' chunks (0
 * where a query may attend, −∞ elsewhere): each query sees its own session's past and the rows of
 * its own chunk up to itself, so each session gets what it would get alone. For a single session
 * this is the plain causal mask.
 */
final class AttentionMask {
  private AttentionMask() {}

  /** One session's chunk of {@code tokens} after a past of {@code past}: {@code [1, 1, tokens, past+tokens]}. */
  static float[] causal(int past, int tokens) {
    return of(new BatchLayout(new int[] {tokens}, new int[] {past}));
  }

  static float[] of(BatchLayout layout) {
    int total = layout.total();
    float[] mask = new float[layout.rows() * total];
    Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int b = 0; b < layout.sessions(); b++) {
      for (int q = 0; q < layout.tokens(b); q++) {
        int row = (layout.rowOffset(b) + q) * total;
        Arrays.fill(mask, row + layout.pastOffset(b), row + layout.pastOffset(b) + layout.pastLength(b), 0f);
        int own = layout.pastRows() + layout.rowOffset(b);
        Arrays.fill(mask, row + own, row + own + q + 1, 0f);
      }
    }
    return mask;
  }
}
