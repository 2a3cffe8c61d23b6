package io.dilemma.worker.model.runtime;

/**
 * A session's KV cache over a shard's layers after {@code length} positions: a view of the first
 * {@code length} positions of a {@link KvStore}, which later steps append to in place. {@code
 * limit} is how many positions the session was admitted for: the store grows no further unless a
 * step needs it.
 */
final class LayerKvCache implements KvState {
  private final KvStore store; // null until the first step
  private final int length;
  private final int limit;

  private LayerKvCache(KvStore store, int length, int limit) {
    this.store = store;
    this.length = length;
    this.limit = limit;
  }

  static LayerKvCache empty(int limit) {
    return new LayerKvCache(null, 0, limit);
  }

  /**
   * The cache after a step of {@code tokens} positions; the step writes them into the returned
   * cache's store. No store grows past {@code maxPositions} (the model's context).
   */
  LayerKvCache extendedBy(int tokens, int layers, int heads, int headDim, int maxPositions) {
    KvStore target = KvStore.forAppend(store, length, tokens, layers, heads, headDim, Math.min(limit, maxPositions));
    return new LayerKvCache(target, length + tokens, limit);
  }

  /** Where this cache's positions live; null when it has none. */
  KvStore store() {
    return store;
  }

  /** Keys {@code [heads × length × headDim]} of one of the shard's layers. */
  float[] keys(int layerOffset) {
    return store.compact(layerOffset, length)[0];
  }

  /** Values {@code [heads × length × headDim]} of one of the shard's layers. */
  float[] values(int layerOffset) {
    return store.compact(layerOffset, length)[1];
  }

  /** Layers cached, 0 before the first step. */
  int layers() {
    return store == null ? 0 : store.layers();
  }

  /** Bytes held: the store's whole capacity, written or not. */
  @Override
  public long sizeBytes() {
    return store == null ? 0 : store.sizeBytes();
  }

  @Override
  public int length() {
    return length;
  }
}
