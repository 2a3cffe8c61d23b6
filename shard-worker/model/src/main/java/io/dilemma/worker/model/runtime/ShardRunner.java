package io.dilemma.worker.model.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
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
  private final boolean batchedDecode;
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
    this.batchedDecode = !layers.isEmpty() && layers.stream().allMatch(ShardRunner::takesABatch);
  }

  /**
   * Whether a layer's graph has a batch dimension (format 3); format 1 and 2 graphs fix it to 1,
   * and a directory packed in place may hold graphs of several formats.
   */
  private static boolean takesABatch(OrtSession layer) {
    try {
      NodeInfo hidden = layer.getInputInfo().get(DecoderBlockGraph.HIDDEN);
      return hidden != null && hidden.getInfo() instanceof TensorInfo tensor && tensor.getShape()[0] != 1;
    } catch (OrtException e) {
      throw new IllegalStateException("cannot read a decoder layer's inputs: " + GraphLoader.oneLine(e.getMessage()), e);
    }
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

  /**
   * Layer {@code i}'s block over {@code x} and the gathered past; the input tensors are closed once
   * it has run, its outputs are the caller's to close.
   */
  private OrtSession.Result runBlock(int i, float[] x, long[] hiddenShape, PastBuffers.Pair past, long[] pastShape, OnnxTensor mask)
      throws OrtException {
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), hiddenShape);
        OnnxTensor pastKeys = OnnxTensor.createTensor(env, past.keys(), pastShape);
        OnnxTensor pastValues = OnnxTensor.createTensor(env, past.values(), pastShape)) {
      return layers.get(i).run(
          Map.of(
              DecoderBlockGraph.HIDDEN, in,
              DecoderBlockGraph.PAST_KEY, pastKeys,
              DecoderBlockGraph.PAST_VALUE, pastValues,
              DecoderBlockGraph.MASK, mask),
          outputs.get(i));
    }
  }

  /** Runs the selected layers over a chunk of {@code tokens} positions that follow {@code past}. */
  public LayerStep runLayers(float[] hidden, int tokens, KvState past) {
    return runChunks(new float[][] {hidden}, new int[] {tokens}, new KvState[] {past})[0];
  }

  /**
   * One decode token for each of several sessions, through the selected layers in one run per
   * layer: the weights are streamed once for the whole batch. Each session is one entry of the
   * graphs' batch dimension, its past padded to the longest and the padding masked; graphs without
   * a batch dimension (format 1 and 2) get the sessions' pasts side by side in one past instead,
   * the mask letting each token attend only to its own session's past and itself. Either way each
   * session's result is what {@link #runLayers} gives it alone (up to float summation order; a
   * batch of one is identical). Results are in the order of {@code hidden}.
   */
  public LayerStep[] runLayersBatch(float[][] hidden, KvState[] pasts) {
    if (hidden.length == 0 || pasts.length != hidden.length) {
      throw new IllegalArgumentException("a batch needs one past per token: " + hidden.length + " tokens, " + pasts.length + " pasts");
    }
    if (batchedDecode) {
      return runPadded(hidden, pasts);
    }
    int[] tokens = new int[hidden.length];
    java.util.Arrays.fill(tokens, 1);
    return runChunks(hidden, tokens, pasts);
  }

  /** Whether {@link #runLayersBatch} runs the sessions as a batch dimension (format 3 graphs) rather than side by side. */
  public boolean decodesInABatchDimension() {
    return batchedDecode;
  }

  /**
   * One token per session after its past, session {@code s} as batch entry {@code s}. Each layer's
   * pasts are gathered into their padded slots of a reused direct buffer; only the new key/value
   * rows come back, appended to each session's store in place.
   */
  private LayerStep[] runPadded(float[][] hidden, KvState[] pasts) {
    int sessions = hidden.length;
    int d = dimensions.hiddenSize();
    int heads = dimensions.heads();
    int headDim = dimensions.headDim();
    int[] pastLength = new int[sessions];
    LayerKvCache[] caches = new LayerKvCache[sessions];
    for (int s = 0; s < sessions; s++) {
      checkHidden(hidden[s], 1);
      caches[s] = checkPast(pasts[s], 1);
      pastLength[s] = caches[s].length();
    }
    PaddedDecodeBatch batch = new PaddedDecodeBatch(pastLength);
    float[] x = new float[sessions * d];
    LayerKvCache[] presents = new LayerKvCache[sessions];
    for (int s = 0; s < sessions; s++) {
      System.arraycopy(hidden[s], 0, x, s * d, d);
      presents[s] = caches[s].extendedBy(1, layers.size(), heads, headDim, dimensions.maxPositions());
    }
    float[] received = null;
    PastBuffers.Pair past = pastBuffers.take();
    long[] pastShape = {sessions, heads, batch.longest(), headDim};
    try (OnnxTensor mask =
        OnnxTensor.createTensor(env, FloatBuffer.wrap(AttentionMask.of(batch)), new long[] {sessions, 1, 1, batch.total()})) {
      for (int i = 0; i < layers.size(); i++) {
        past.ensure(sessions * heads * batch.longest() * headDim);
        for (int s = 0; s < sessions; s++) {
          if (pastLength[s] > 0) {
            presents[s].store().gather(i, pastLength[s], past.keys(), past.values(), batch.pastSlot(s, heads, headDim), batch.longest());
          }
        }
        boolean last = i == layers.size() - 1;
        try (OrtSession.Result result = runBlock(i, x, new long[] {sessions, 1, d}, past, pastShape, mask)) {
          x = floats(result, DecoderBlockGraph.HIDDEN_OUT);
          FloatBuffer keys = floatBuffer(result, DecoderBlockGraph.NEW_KEY);
          FloatBuffer values = floatBuffer(result, DecoderBlockGraph.NEW_VALUE);
          for (int s = 0; s < sessions; s++) {
            presents[s].store().append(i, pastLength[s], 1, keys, values, batch.newRowSlot(s, heads, headDim), 1);
          }
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
    LayerStep[] steps = new LayerStep[sessions];
    for (int s = 0; s < sessions; s++) {
      float[] out = java.util.Arrays.copyOfRange(x, s * d, (s + 1) * d);
      steps[s] = new LayerStep(out, presents[s], new float[] {received[batch.ownTokenColumn(s)]});
    }
    return steps;
  }

  /**
   * Session {@code b}'s chunk of {@code tokens[b]} positions after {@code pasts[b]}, all in one run
   * per layer, the chunks side by side in one sequence of a batch of 1 (a prefill is one chunk).
   * Each layer's past is gathered into a reused direct buffer, and only the chunks' new key/value
   * rows come back, appended to each session's store in place.
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
            presents[b].store().gather(i, pastLength[b], past.keys(), past.values(), layout.pastOffset(b) * headDim, layout.pastRows());
          }
        }
        boolean last = i == layers.size() - 1;
        try (OrtSession.Result result = runBlock(i, x, new long[] {1, layout.rows(), d}, past, pastShape, mask)) {
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
      int slot = (firstNew + layout.rowOffset(b)) * dimensions.headDim();
      presents[b].store().append(i, layout.pastLength(b), layout.tokens(b), keys, values, slot, headRows);
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
