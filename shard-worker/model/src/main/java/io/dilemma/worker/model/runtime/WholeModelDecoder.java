package io.dilemma.worker.model.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.graph.DecoderBlockGraph;
import io.dilemma.worker.model.graph.EmbeddingGraph;
import io.dilemma.worker.model.graph.WholeModelGraph;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes through one graph holding the whole model: the reference for per-layer execution, both
 * for correctness (same tokens) and speed (the limit per-layer graphs can approach).
 */
public final class WholeModelDecoder implements Decoder {
  private final OrtEnvironment env = OrtSessions.environment();
  private final ModelDimensions dims;
  private final OrtSession session;
  private float[][] keys;
  private float[][] values;
  private int position;

  public WholeModelDecoder(OptWeights weights, int layerBits, int embeddingBits, int headBits) throws OrtException {
    this.dims = weights.dimensions();
    this.session =
        OrtSessions.create(
            GraphLoader.widenNarrowWeights(WholeModelGraph.build(weights, layerBits, embeddingBits, headBits)).toByteArray());
    this.keys = new float[dims.layers()][0];
    this.values = new float[dims.layers()][0];
  }

  @Override
  public float[] feed(long[] tokenIds) {
    int tokens = tokenIds.length;
    int total = position + tokens;
    long[] positions = new long[tokens];
    for (int i = 0; i < tokens; i++) {
      positions[i] = position + i;
    }
    List<OnnxTensor> owned = new ArrayList<>();
    try {
      Map<String, OnnxTensor> inputs = new HashMap<>();
      inputs.put(EmbeddingGraph.INPUT_IDS, own(owned, OnnxTensor.createTensor(env, LongBuffer.wrap(tokenIds), new long[] {1, tokens})));
      inputs.put(EmbeddingGraph.POSITION_IDS, own(owned, OnnxTensor.createTensor(env, LongBuffer.wrap(positions), new long[] {1, tokens})));
      inputs.put(
          DecoderBlockGraph.MASK,
          own(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(AttentionMask.causal(position, tokens)), new long[] {1, 1, tokens, total})));
      long[] pastShape = {1, dims.heads(), position, dims.headDim()};
      for (int layer = 0; layer < dims.layers(); layer++) {
        inputs.put(WholeModelGraph.pastKey(layer), own(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(keys[layer]), pastShape)));
        inputs.put(WholeModelGraph.pastValue(layer), own(owned, OnnxTensor.createTensor(env, FloatBuffer.wrap(values[layer]), pastShape)));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        for (int layer = 0; layer < dims.layers(); layer++) {
          keys[layer] = ShardRunner.floats(result, WholeModelGraph.presentKey(layer));
          values[layer] = ShardRunner.floats(result, WholeModelGraph.presentValue(layer));
        }
        float[] logits = ShardRunner.floats(result, WholeModelGraph.LOGITS);
        position = total;
        return Arrays.copyOfRange(logits, (tokens - 1) * dims.vocabSize(), tokens * dims.vocabSize());
      }
    } catch (OrtException e) {
      throw new IllegalStateException("whole-model graph failed: " + GraphLoader.oneLine(e.getMessage()), e);
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
    owned.add(tensor);
    return tensor;
  }

  /**
   * Forgets the sequence so the compiled graph can decode a new one; the returned view must not
   * close the shared session.
   */
  public Decoder restart() {
    keys = new float[dims.layers()][0];
    values = new float[dims.layers()][0];
    position = 0;
    WholeModelDecoder self = this;
    return new Decoder() {
      @Override
      public float[] feed(long[] tokenIds) {
        return self.feed(tokenIds);
      }

      @Override
      public int position() {
        return self.position();
      }
    };
  }

  @Override
  public int position() {
    return position;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing left to release that the caller could act on.
    }
  }
}
