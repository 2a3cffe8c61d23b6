package io.dilemma.worker.model.runtime;

import java.util.Arrays;

/**
 * Additive attention masks (0 where a query may attend, −∞ elsewhere) that give each session of a
 * run what it would get alone. Side by side ({@link BatchLayout}, {@code [1, 1, rows, pasts+rows]}):
 * each query sees its own session's past and the rows of its own chunk up to itself; for a single
 * session this is the plain causal mask. Padded ({@link PaddedDecodeBatch}, {@code [sessions, 1, 1,
 * longest+1]}): each session's token sees its own past and itself, not the padding after its past.
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

  static float[] of(PaddedDecodeBatch batch) {
    int total = batch.total();
    float[] mask = new float[batch.sessions() * total];
    for (int s = 0; s < batch.sessions(); s++) {
      Arrays.fill(mask, s * total + batch.pastLength(s), s * total + batch.longest(), Float.NEGATIVE_INFINITY);
    }
    return mask;
  }
}
