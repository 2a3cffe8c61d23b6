package io.dilemma.worker.model.runtime;

/**
 * The KV cache of one session over the layers of one shard. Instances are immutable snapshots, so a
 * caller may keep an older one (e.g. to retry a step) while the runner returns a newer one.
 */
public interface KvState {
  /** Bytes held by keys and values. */
  long sizeBytes();

  /** Number of token positions cached. */
  int length();

  static KvState empty() {
    return LayerKvCache.EMPTY;
  }
}
