package io.dilemma.worker.model.runtime;

import java.nio.FloatBuffer;

/**
 * The keys and values of one session over a shard's layers, appended in place step after step:
 * per layer {@code [heads × capacity × headDim]}, row-major, of which the first {@code filled}
 * positions are written. Rows below {@code filled} never change, so every {@link LayerKvCache}
 * snapshot over this store (a length ≤ filled) stays valid while newer steps append.
 *
 * <p>Only the step extending the newest snapshot appends here; a step from an older snapshot (a
 * retry, a profiler timing the same step again) gets a copy of that snapshot's rows instead.
 */
final class KvStore {
  private final int heads;
  private final int headDim;
  private final int capacity;
  private final float[][] keys;
  private final float[][] values;
  private int filled; // guarded by this

  private KvStore(int layers, int heads, int headDim, int capacity) {
    this.heads = heads;
    this.headDim = headDim;
    this.capacity = capacity;
    this.keys = new float[layers][heads * capacity * headDim];
    this.values = new float[layers][heads * capacity * headDim];
  }

  /**
   * Where a step appends {@code tokens} positions after the first {@code length} of {@code from}
   * ({@code null}: a session's first step): {@code from} itself when those are its newest rows
   * and they fit, else a new store holding a copy of them. Capacity doubles, up to {@code limit}
   * positions (what the session was admitted for, at least what the step needs).
   */
  static KvStore forAppend(KvStore from, int length, int tokens, int layers, int heads, int headDim, int limit) {
    int needed = length + tokens;
    if (from != null && from.claim(length, tokens)) {
      return from;
    }
    int grown = from == null ? 2 * needed : Math.max(needed, 2 * from.capacity);
    KvStore store = new KvStore(layers, heads, headDim, Math.min(grown, Math.max(needed, limit)));
    if (from != null) {
      from.copyInto(store, length);
    }
    store.filled = needed;
    return store;
  }

  /** Takes rows {@code length..length+tokens} for the caller's step, if nobody appended past {@code length} and they fit. */
  private synchronized boolean claim(int length, int tokens) {
    if (filled != length || length + tokens > capacity) {
      return false;
    }
    filled = length + tokens;
    return true;
  }

  private void copyInto(KvStore to, int length) {
    for (int layer = 0; layer < keys.length; layer++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(keys[layer], h * capacity * headDim, to.keys[layer], h * to.capacity * headDim, length * headDim);
        System.arraycopy(values[layer], h * capacity * headDim, to.values[layer], h * to.capacity * headDim, length * headDim);
      }
    }
  }

  int layers() {
    return keys.length;
  }

  int capacity() {
    return capacity;
  }

  long sizeBytes() {
    return 2L * keys.length * heads * capacity * headDim * Float.BYTES;
  }

  /**
   * Copies the first {@code length} positions of {@code layer} into a batch's past, head {@code h}'s
   * rows starting at float {@code slot + h × headStride × headDim}: the batch's past holds {@code
   * headStride} positions per head, and {@code slot} is where this session's first head begins.
   */
  void gather(int layer, int length, FloatBuffer pastKeys, FloatBuffer pastValues, int slot, int headStride) {
    for (int h = 0; h < heads; h++) {
      int to = slot + h * headStride * headDim;
      pastKeys.put(to, keys[layer], h * capacity * headDim, length * headDim);
      pastValues.put(to, values[layer], h * capacity * headDim, length * headDim);
    }
  }

  /**
   * Appends {@code tokens} positions to {@code layer} at position {@code length}, taken from a
   * batch's new rows: head {@code h}'s rows start at float {@code slot + h × headStride × headDim}.
   */
  void append(int layer, int length, int tokens, FloatBuffer newKeys, FloatBuffer newValues, int slot, int headStride) {
    for (int h = 0; h < heads; h++) {
      int source = slot + h * headStride * headDim;
      int to = (h * capacity + length) * headDim;
      newKeys.get(source, keys[layer], to, tokens * headDim);
      newValues.get(source, values[layer], to, tokens * headDim);
    }
  }

  /** Positions {@code 0..length} of {@code layer} as {@code [heads × length × headDim]} (for tests and inspection). */
  float[][] compact(int layer, int length) {
    float[][] out = {new float[heads * length * headDim], new float[heads * length * headDim]};
    for (int h = 0; h < heads; h++) {
      System.arraycopy(keys[layer], h * capacity * headDim, out[0], h * length * headDim, length * headDim);
      System.arraycopy(values[layer], h * capacity * headDim, out[1], h * length * headDim, length * headDim);
    }
    return out;
  }
}
