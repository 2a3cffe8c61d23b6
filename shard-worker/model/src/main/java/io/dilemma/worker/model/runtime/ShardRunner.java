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

  private final ModelDimensions dimensions;
  private final LayerSelection selection;
  private final OrtSession embedding;
  private final List<OrtSession> layers;
  private final OrtSession head;
  private final List<Set<String>> outputs;
  private final PastBuffers pastBuffers = new PastBuffers();
  private final OrtEnvironment env = OrtSessions.environment();

  private ShardRunner(
      ModelDimensions dimensions, LayerSelection selection, OrtSession embedding, List<OrtSession> layers, OrtSession head) {
    this.dimensions = dimensions;
    this.selection = selection;
    this.embedding = embedding;
    this.layers = layers;
    this.head = head;
    List<Set<String>> wanted = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      wanted.add(outputsOf(layers.get(i), i == layers.size() - 1));
    }
    this.outputs = List.copyOf(wanted);
  }

  /**
   * What to fetch from a layer's graph: the new key/value rows, or from a format-1 graph, which
   * has none, past and new rows together; the attention each position received only from the last.
   */
  private static Set<String> outputsOf(OrtSession layer, boolean last) {
    boolean newRows = layer.getOutputNames().contains(DecoderBlockGraph.NEW_KEY);
    Set<String> names = new java.util.HashSet<>();
    names.add(DecoderBlockGraph.HIDDEN_OUT);
    names.add(newRows ? DecoderBlockGraph.NEW_KEY : DecoderBlockGraph.PRESENT_KEY);
    names.add(newRows ? DecoderBlockGraph.NEW_VALUE : DecoderBlockGraph.PRESENT_VALUE);
    if (last) {
      names.add(DecoderBlockGraph.RECEIVED);
    }
    return Set.copyOf(names);
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
    return runChunks(new float[][] {hidden}, new int[] {tokens}, new KvState[] {past})[0];
  }

  /**
   * One decode token for each of several sessions, through the selected layers in one run per
   * layer: the weights are streamed once for the whole batch. The sessions' pasts are laid side by
   * side in one past, and the mask lets each token attend only to its own session's past and
   * itself, so each session's result is what {@link #runLayers} gives it alone (up to float
   * summation order; a batch of one is identical). Results are in the order of {@code hidden}.
   */
  public LayerStep[] runLayersBatch(float[][] hidden, KvState[] pasts) {
    if (hidden.length == 0 || pasts.length != hidden.length) {
      throw new IllegalArgumentException("a batch needs one past per token: " + hidden.length + " tokens, " + pasts.length + " pasts");
    }
    int[] tokens = new int[hidden.length];
    java.util.Arrays.fill(tokens, 1);
    return runChunks(hidden, tokens, pasts);
  }

  /**
   * Session {@code b}'s chunk of {@code tokens[b]} positions after {@code pasts[b]}, all in one run
   * per layer. Each layer's past is gathered into a reused direct buffer, and only the chunks' new
   * key/value rows come back, appended to each session's store in place.
   */
  private LayerStep[] runChunks(float[][] hidden, int[] tokens, KvState[] pasts) {
    if (layers.isEmpty()) {
      throw new IllegalStateException("this shard has no layers");
    }
    int batch = hidden.length;
    int d = dimensions.hiddenSize();
    int heads = dimensions.heads();
    int headDim = dimensions.headDim();
    int[] pastLength = new int[batch];
    LayerKvCache[] caches = new LayerKvCache[batch];
    for (int b = 0; b < batch; b++) {
      checkHidden(hidden[b], tokens[b]);
      caches[b] = checkPast(pasts[b], tokens[b]);
      pastLength[b] = caches[b].length();
    }
    BatchLayout layout = new BatchLayout(tokens, pastLength);
    float[] x = new float[layout.rows() * d];
    LayerKvCache[] presents = new LayerKvCache[batch];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(hidden[b], 0, x, layout.rowOffset(b) * d, tokens[b] * d);
      presents[b] = caches[b].extendedBy(tokens[b], layers.size(), heads, headDim, dimensions.maxPositions());
    }
    float[] received = null;
    PastBuffers.Pair past = pastBuffers.take();
    long[] pastShape = {1, heads, layout.pastRows(), headDim};
    try (OnnxTensor mask =
        OnnxTensor.createTensor(env, FloatBuffer.wrap(AttentionMask.of(layout)), new long[] {1, 1, layout.rows(), layout.total()})) {
      for (int i = 0; i < layers.size(); i++) {
        past.ensure(heads * layout.pastRows() * headDim);
        for (int b = 0; b < batch; b++) {
          if (pastLength[b] > 0) {
            presents[b].store().gather(i, pastLength[b], past.keys(), past.values(), layout.pastRows(), layout.pastOffset(b));
          }
        }
        boolean last = i == layers.size() - 1;
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, layout.rows(), d});
            OnnxTensor pastKeys = OnnxTensor.createTensor(env, past.keys(), pastShape);
            OnnxTensor pastValues = OnnxTensor.createTensor(env, past.values(), pastShape);
            OrtSession.Result result =
                layers.get(i).run(
                    Map.of(
                        DecoderBlockGraph.HIDDEN, in,
                        DecoderBlockGraph.PAST_KEY, pastKeys,
                        DecoderBlockGraph.PAST_VALUE, pastValues,
                        DecoderBlockGraph.MASK, mask),
                    outputs.get(i))) {
          x = floats(result, DecoderBlockGraph.HIDDEN_OUT);
          appendNewRows(i, result, layout, presents);
          if (last) {
            received = floats(result, DecoderBlockGraph.RECEIVED);
          }
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("decoder layer failed: " + GraphLoader.oneLine(e.getMessage()), e);
    } finally {
      pastBuffers.give(past);
    }
    LayerStep[] steps = new LayerStep[batch];
    for (int b = 0; b < batch; b++) {
      int from = layout.rowOffset(b);
      float[] out = java.util.Arrays.copyOfRange(x, from * d, (from + tokens[b]) * d);
      int at = layout.pastRows() + from;
      steps[b] = new LayerStep(out, presents[b], java.util.Arrays.copyOfRange(received, at, at + tokens[b]));
    }
    return steps;
  }

  /**
   * Appends each session's new key/value rows of layer {@code i} to its store. A format-1 graph
   * gives back past and new rows ({@code [heads × total × headDim]}), of which the new ones follow
   * the batch's past in each head.
   */
  private void appendNewRows(int i, OrtSession.Result result, BatchLayout layout, LayerKvCache[] presents) throws OrtException {
    boolean presentOnly = outputs.get(i).contains(DecoderBlockGraph.PRESENT_KEY);
    FloatBuffer keys = floatBuffer(result, presentOnly ? DecoderBlockGraph.PRESENT_KEY : DecoderBlockGraph.NEW_KEY);
    FloatBuffer values = floatBuffer(result, presentOnly ? DecoderBlockGraph.PRESENT_VALUE : DecoderBlockGraph.NEW_VALUE);
    int headRows = presentOnly ? layout.total() : layout.rows();
    int firstNew = presentOnly ? layout.pastRows() : 0;
    for (int b = 0; b < layout.sessions(); b++) {
      presents[b].store().append(i, layout.pastLength(b), layout.tokens(b), keys, values, headRows, firstNew + layout.rowOffset(b));
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
    FloatBuffer buffer = floatBuffer(result, name);
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  private static FloatBuffer floatBuffer(OrtSession.Result result, String name) throws OrtException {
    OnnxTensor tensor = (OnnxTensor) result.get(name).orElseThrow(() -> new IllegalStateException("graph has no output " + name));
    return tensor.getFloatBuffer();
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
