package io.dilemma.worker.model.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.format.ShardManifest.Part;
import io.dilemma.worker.model.graph.DecoderBlockGraph;
import io.dilemma.worker.model.graph.EmbeddingGraph;
import io.dilemma.worker.model.graph.HeadGraph;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads part of a model directory (some consecutive layers, optionally the embedding and the head)
 * and runs it on ONNX Runtime. ORT sessions are thread-safe and every call carries its own {@link
 * KvState}, so concurrent sessions can share one runner.
 */
public final class ShardRunner implements AutoCloseable {
  private static final Set<String> LAYER_OUTPUTS =
      Set.of(DecoderBlockGraph.HIDDEN_OUT, DecoderBlockGraph.PRESENT_KEY, DecoderBlockGraph.PRESENT_VALUE);
  private static final Set<String> LAST_LAYER_OUTPUTS =
      Set.of(
          DecoderBlockGraph.HIDDEN_OUT,
          DecoderBlockGraph.PRESENT_KEY,
          DecoderBlockGraph.PRESENT_VALUE,
          DecoderBlockGraph.RECEIVED);

  private final ModelDimensions dimensions;
  private final LayerSelection selection;
  private final OrtSession embedding;
  private final List<OrtSession> layers;
  private final OrtSession head;
  private final OrtEnvironment env = OrtSessions.environment();

  private ShardRunner(
      ModelDimensions dimensions, LayerSelection selection, OrtSession embedding, List<OrtSession> layers, OrtSession head) {
    this.dimensions = dimensions;
    this.selection = selection;
    this.embedding = embedding;
    this.layers = layers;
    this.head = head;
  }

  /** Loads only the selected parts, verifying each file against the manifest's sha256. */
  public static ShardRunner open(Path modelDir, LayerSelection selection) throws ModelException {
    ModelDirectory directory = ModelDirectory.open(modelDir);
    ModelDimensions dims = directory.manifest().dimensions();
    if (selection.lastLayer() >= dims.layers()) {
      throw new ModelException(
          directory.manifestFile() + ": the model has layers 0.." + (dims.layers() - 1) + ", selection asks for up to " + selection.lastLayer());
    }
    List<OrtSession> opened = new ArrayList<>();
    try {
      OrtSession embedding = null;
      OrtSession head = null;
      if (selection.embedding()) {
        embedding = load(directory, requirePart(directory, directory.manifest().embedding(), "embedding"));
        opened.add(embedding);
      }
      List<OrtSession> layers = new ArrayList<>();
      for (int layer = selection.firstLayer(); layer >= 0 && layer <= selection.lastLayer(); layer++) {
        OrtSession session = load(directory, directory.layer(layer, selection.bitsOf(layer)));
        opened.add(session);
        layers.add(session);
      }
      if (selection.lmHead()) {
        head = load(directory, requirePart(directory, directory.manifest().head(), "head"));
        opened.add(head);
      }
      return new ShardRunner(dims, selection, embedding, List.copyOf(layers), head);
    } catch (ModelException | RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  /**
   * Builds the selected parts straight from weights in memory, without a model directory: how the
   * profiler tries a layer at each bit width.
   */
  public static ShardRunner inMemory(OptWeights weights, LayerSelection selection, int embeddingBits, int headBits) {
    ModelDimensions dims = weights.dimensions();
    List<OrtSession> opened = new ArrayList<>();
    try {
      OrtSession embedding = null;
      OrtSession head = null;
      if (selection.embedding()) {
        embedding = GraphLoader.load(EmbeddingGraph.build(weights, embeddingBits));
        opened.add(embedding);
      }
      List<OrtSession> layers = new ArrayList<>();
      for (int layer = selection.firstLayer(); layer >= 0 && layer <= selection.lastLayer(); layer++) {
        OrtSession session = GraphLoader.load(DecoderBlockGraph.build(dims, weights.block(layer), selection.bitsOf(layer)));
        opened.add(session);
        layers.add(session);
      }
      if (selection.lmHead()) {
        head = GraphLoader.load(HeadGraph.build(weights, headBits));
        opened.add(head);
      }
      return new ShardRunner(dims, selection, embedding, List.copyOf(layers), head);
    } catch (RuntimeException e) {
      closeAll(opened);
      throw e;
    }
  }

  private static Part requirePart(ModelDirectory directory, Part part, String what) throws ModelException {
    if (part == null) {
      throw new ModelException(directory.manifestFile() + ": no " + what + " graph is listed");
    }
    return part;
  }

  private static OrtSession load(ModelDirectory directory, Part part) throws ModelException {
    return GraphLoader.load(directory.verified(part), part.bits());
  }

  public ModelDimensions dimensions() {
    return dimensions;
  }

  public LayerSelection selection() {
    return selection;
  }

  /** Token + positional embedding of {@code tokenIds} at positions {@code startPosition...}: {@code [tokens × hiddenSize]}. */
  public float[] embed(long[] tokenIds, int startPosition) {
    if (embedding == null) {
      throw new IllegalStateException("this shard was opened without the embedding");
    }
    for (long id : tokenIds) {
      if (id < 0 || id >= dimensions.vocabSize()) {
        throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + dimensions.vocabSize());
      }
    }
    if (startPosition < 0 || startPosition + tokenIds.length > dimensions.maxPositions()) {
      throw new IllegalArgumentException(
          "positions " + startPosition + ".." + (startPosition + tokenIds.length - 1) + " exceed the model's " + dimensions.maxPositions());
    }
    long[] positions = new long[tokenIds.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = startPosition + i;
    }
    long[] shape = {1, tokenIds.length};
    try (OnnxTensor ids = OnnxTensor.createTensor(env, LongBuffer.wrap(tokenIds), shape);
        OnnxTensor pos = OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape);
        OrtSession.Result result = embedding.run(Map.of(EmbeddingGraph.INPUT_IDS, ids, EmbeddingGraph.POSITION_IDS, pos))) {
      return floats(result, EmbeddingGraph.HIDDEN);
    } catch (OrtException e) {
      throw new IllegalStateException("embedding failed: " + GraphLoader.oneLine(e.getMessage()), e);
    }
  }

  /** Runs the selected layers over a chunk of {@code tokens} positions that follow {@code past}. */
  public LayerStep runLayers(float[] hidden, int tokens, KvState past) {
    if (layers.isEmpty()) {
      throw new IllegalStateException("this shard has no layers");
    }
    checkHidden(hidden, tokens);
    LayerKvCache cache = checkPast(past, tokens);
    int pastLength = cache.length();
    int total = pastLength + tokens;
    float[][] keys = new float[layers.size()][];
    float[][] values = new float[layers.size()][];
    float[] received = null;
    float[] x = hidden;
    try (OnnxTensor mask = OnnxTensor.createTensor(env, FloatBuffer.wrap(AttentionMask.causal(pastLength, tokens)), new long[] {1, 1, tokens, total})) {
      for (int i = 0; i < layers.size(); i++) {
        float[] pastKeys = pastLength == 0 ? new float[0] : cache.keys(i);
        float[] pastValues = pastLength == 0 ? new float[0] : cache.values(i);
        LayerOutputs outputs = runLayer(i, x, tokens, pastKeys, pastValues, pastLength, mask);
        x = outputs.hidden();
        keys[i] = outputs.keys();
        values[i] = outputs.values();
        if (outputs.received() != null) {
          received = java.util.Arrays.copyOfRange(outputs.received(), pastLength, total);
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("decoder layer failed: " + GraphLoader.oneLine(e.getMessage()), e);
    }
    return new LayerStep(x, new LayerKvCache(keys, values, total), received);
  }

  /**
   * One decode token for each of several sessions, through the selected layers in one run per
   * layer: the weights are streamed once for the whole batch. The sessions' pasts are laid side by
   * side in one past, and the mask lets each token attend only to its own session's past and
   * itself, so each session's result is what {@link #runLayers} gives it alone (up to float
   * summation order; a batch of one is identical). Results are in the order of {@code hidden}.
   */
  public LayerStep[] runLayersBatch(float[][] hidden, KvState[] pasts) {
    if (layers.isEmpty()) {
      throw new IllegalStateException("this shard has no layers");
    }
    int batch = hidden.length;
    if (batch == 0 || pasts.length != batch) {
      throw new IllegalArgumentException("a batch needs one past per token: " + batch + " tokens, " + pasts.length + " pasts");
    }
    int d = dimensions.hiddenSize();
    int heads = dimensions.heads();
    int headDim = dimensions.headDim();
    LayerKvCache[] caches = new LayerKvCache[batch];
    int[] offset = new int[batch];
    int sumPast = 0;
    float[] x = new float[batch * d];
    for (int b = 0; b < batch; b++) {
      checkHidden(hidden[b], 1);
      caches[b] = checkPast(pasts[b], 1);
      offset[b] = sumPast;
      sumPast += caches[b].length();
      System.arraycopy(hidden[b], 0, x, b * d, d);
    }
    int total = sumPast + batch;
    float[] mask = new float[batch * total];
    java.util.Arrays.fill(mask, Float.NEGATIVE_INFINITY);
    for (int b = 0; b < batch; b++) {
      java.util.Arrays.fill(mask, b * total + offset[b], b * total + offset[b] + caches[b].length(), 0f);
      mask[b * total + sumPast + b] = 0f;
    }
    float[][][] keys = new float[batch][layers.size()][];
    float[][][] values = new float[batch][layers.size()][];
    float[] received = null;
    try (OnnxTensor maskTensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(mask), new long[] {1, 1, batch, total})) {
      for (int i = 0; i < layers.size(); i++) {
        float[] pastKeys = new float[heads * sumPast * headDim];
        float[] pastValues = new float[heads * sumPast * headDim];
        for (int b = 0; b < batch; b++) {
          int length = caches[b].length();
          if (length == 0) {
            continue;
          }
          float[] k = caches[b].keys(i);
          float[] v = caches[b].values(i);
          for (int h = 0; h < heads; h++) {
            System.arraycopy(k, h * length * headDim, pastKeys, (h * sumPast + offset[b]) * headDim, length * headDim);
            System.arraycopy(v, h * length * headDim, pastValues, (h * sumPast + offset[b]) * headDim, length * headDim);
          }
        }
        LayerOutputs outputs = runLayer(i, x, batch, pastKeys, pastValues, sumPast, maskTensor);
        x = outputs.hidden();
        float[] presentKeys = outputs.keys();
        float[] presentValues = outputs.values();
        for (int b = 0; b < batch; b++) {
          int length = caches[b].length();
          float[] k = new float[heads * (length + 1) * headDim];
          float[] v = new float[heads * (length + 1) * headDim];
          for (int h = 0; h < heads; h++) {
            int from = (h * total + offset[b]) * headDim;
            int to = h * (length + 1) * headDim;
            System.arraycopy(presentKeys, from, k, to, length * headDim);
            System.arraycopy(presentValues, from, v, to, length * headDim);
            int own = (h * total + sumPast + b) * headDim;
            System.arraycopy(presentKeys, own, k, to + length * headDim, headDim);
            System.arraycopy(presentValues, own, v, to + length * headDim, headDim);
          }
          keys[b][i] = k;
          values[b][i] = v;
        }
        if (outputs.received() != null) {
          received = outputs.received();
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("decoder layer failed: " + GraphLoader.oneLine(e.getMessage()), e);
    }
    LayerStep[] steps = new LayerStep[batch];
    for (int b = 0; b < batch; b++) {
      float[] out = java.util.Arrays.copyOfRange(x, b * d, (b + 1) * d);
      steps[b] = new LayerStep(out, new LayerKvCache(keys[b], values[b], caches[b].length() + 1), new float[] {received[sumPast + b]});
    }
    return steps;
  }

  /** What one decoder layer gave back; {@code received} only from the shard's last layer. */
  private record LayerOutputs(float[] hidden, float[] keys, float[] values, float[] received) {}

  /** Runs layer {@code i} over {@code rows} positions of {@code x} that attend to a past of {@code pastLength}. */
  private LayerOutputs runLayer(int i, float[] x, int rows, float[] pastKeys, float[] pastValues, int pastLength, OnnxTensor mask)
      throws OrtException {
    boolean last = i == layers.size() - 1;
    long[] pastShape = {1, dimensions.heads(), pastLength, dimensions.headDim()};
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, rows, dimensions.hiddenSize()});
        OnnxTensor pk = OnnxTensor.createTensor(env, FloatBuffer.wrap(pastKeys), pastShape);
        OnnxTensor pv = OnnxTensor.createTensor(env, FloatBuffer.wrap(pastValues), pastShape);
        OrtSession.Result result =
            layers.get(i).run(
                Map.of(
                    DecoderBlockGraph.HIDDEN, in,
                    DecoderBlockGraph.PAST_KEY, pk,
                    DecoderBlockGraph.PAST_VALUE, pv,
                    DecoderBlockGraph.MASK, mask),
                last ? LAST_LAYER_OUTPUTS : LAYER_OUTPUTS)) {
      return new LayerOutputs(
          floats(result, DecoderBlockGraph.HIDDEN_OUT),
          floats(result, DecoderBlockGraph.PRESENT_KEY),
          floats(result, DecoderBlockGraph.PRESENT_VALUE),
          last ? floats(result, DecoderBlockGraph.RECEIVED) : null);
    }
  }

  /** The past of a session this shard's layers can extend by {@code tokens} positions. */
  private LayerKvCache checkPast(KvState past, int tokens) {
    LayerKvCache cache = (LayerKvCache) past;
    if (cache.layers() != 0 && cache.layers() != layers.size()) {
      throw new IllegalArgumentException("KV state holds " + cache.layers() + " layers, this shard runs " + layers.size());
    }
    int total = cache.length() + tokens;
    if (total > dimensions.maxPositions()) {
      throw new IllegalArgumentException("sequence of " + total + " tokens exceeds the model's " + dimensions.maxPositions() + " positions");
    }
    return cache;
  }

  /** Logits {@code [vocabSize]} for the last token of the chunk. */
  public float[] lmHeadLastToken(float[] hidden, int tokens) {
    checkHidden(hidden, tokens);
    int d = dimensions.hiddenSize();
    float[] last = java.util.Arrays.copyOfRange(hidden, (tokens - 1) * d, tokens * d);
    return lmHead(last, 1);
  }

  /** Logits {@code [tokens × vocabSize]} for every token of the chunk (the profiler scores whole texts). */
  public float[] lmHead(float[] hidden, int tokens) {
    if (head == null) {
      throw new IllegalStateException("this shard was opened without the LM head");
    }
    checkHidden(hidden, tokens);
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(hidden), new long[] {1, tokens, dimensions.hiddenSize()});
        OrtSession.Result result = head.run(Map.of(HeadGraph.HIDDEN, in))) {
      return floats(result, HeadGraph.LOGITS);
    } catch (OrtException e) {
      throw new IllegalStateException("LM head failed: " + GraphLoader.oneLine(e.getMessage()), e);
    }
  }

  private void checkHidden(float[] hidden, int tokens) {
    if (tokens < 1 || hidden.length != (long) tokens * dimensions.hiddenSize()) {
      throw new IllegalArgumentException(
          "hidden state has " + hidden.length + " values, expected " + tokens + " × " + dimensions.hiddenSize());
    }
  }

  static float[] floats(OrtSession.Result result, String name) throws OrtException {
    OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException("graph has no output " + name));
    FloatBuffer buffer = tensor.getFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  @Override
  public void close() {
    List<OrtSession> all = new ArrayList<>(layers);
    if (embedding != null) {
      all.add(embedding);
    }
    if (head != null) {
      all.add(head);
    }
    closeAll(all);
  }

  private static void closeAll(List<OrtSession> sessions) {
    for (OrtSession session : sessions) {
      try {
        session.close();
      } catch (OrtException e) {
        // Closing releases native memory; a failure here leaves nothing the caller could do.
      }
    }
  }
}
