package io.dilemma.worker.model.runtime;

/**
 * Keys and values of consecutive layers, each {@code [heads × length × headDim]} row-major, fp32.
 * Arrays are never modified after construction.
 */
final class LayerKvCache implements KvState {
  static final LayerKvCache EMPTY = new LayerKvCache(new float[0][], new float[0][], 0);

  private final float[][] keys;
  private final float[][] values;
  private final int length;

  LayerKvCache(float[][] keys, float[][] values, int length) {
    this.keys = keys;
    this.values = values;
    this.length = length;
  }

  float[] keys(int layerOffset) {
    return keys[layerOffset];
  }

  float[] values(int layerOffset) {
    return values[layerOffset];
  }

  int layers() {
    return keys.length;
  }

  @Override
  public long sizeBytes() {
    long floats = 0;
    for (int i = 0; i < keys.length; i++) {
      floats += keys[i].length + values[i].length;
    }
    return floats * Float.BYTES;
  }

  @Override
  public int length() {
    return length;
  }
}
