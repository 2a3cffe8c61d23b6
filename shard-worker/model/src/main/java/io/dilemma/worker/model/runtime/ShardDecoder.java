package io.dilemma.worker.model.runtime;

/** Decodes through a {@link ShardRunner} that holds the whole model (embedding, all layers, head). */
public final class ShardDecoder implements Decoder {
  private final ShardRunner runner;
  private KvState cache = KvState.empty();

  public ShardDecoder(ShardRunner runner) {
    if (!runner.selection().embedding() || !runner.selection().lmHead()
        || runner.selection().firstLayer() != 0
        || runner.selection().lastLayer() != runner.dimensions().layers() - 1) {
      throw new IllegalArgumentException("decoding in one process needs the embedding, every layer and the head");
    }
    this.runner = runner;
  }

  @Override
  public float[] feed(long[] tokenIds) {
    float[] hidden = runner.embed(tokenIds, cache.length());
    LayerStep step = runner.runLayers(hidden, tokenIds.length, cache);
    cache = step.present();
    return runner.lmHeadLastToken(step.hidden(), tokenIds.length);
  }

  @Override
  public int position() {
    return cache.length();
  }

  public KvState cache() {
    return cache;
  }
}
