package io.dilemma.worker.model.runtime;

/**
 * The KV cache of one session over the layers of one shard. Instances are immutable snapshots, so a
 * caller may keep an older one (e.g. to retry a step) while the runner returns a newer one: the
 * runner appends a step's positions in place only when it extends the newest snapshot, and copies
 * the older snapshot's positions otherwise.
 */
public interface KvState {
  /** Bytes held by keys and values (the capacity reserved for the session, which may exceed {@link #length}). */
  long sizeBytes();

  /** Number of token positions cached. */
  int length();

  /** A session's cache before its first step, which may grow to the model's context. */
  static KvState empty() {
    return LayerKvCache.empty(Integer.MAX_VALUE);
  }

  /**
   * A session's cache before its first step, for a session admitted for {@code positions}
   * positions: it holds no more than that (unless a step needs more), so {@link #sizeBytes} stays
   * within what the session was admitted for.
   */
  static KvState empty(int positions) {
    return LayerKvCache.empty(positions);
  }
}
