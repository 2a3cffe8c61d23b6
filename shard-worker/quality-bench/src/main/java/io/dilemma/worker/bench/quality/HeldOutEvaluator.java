package io.dilemma.worker.bench.quality;

import io.dilemma.worker.model.profile.QualityMeter;
import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.LayerStep;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Scores variants of one model on held-out windows against the model itself (the teacher: its
 * weights as stored, computed in fp32; the embedding and the LM head are never quantized here).
 *
 * <p>The teacher's hidden state entering every layer, the attention each layer's tokens received
 * and the teacher's next-token distribution are kept for every window, so a variant only reruns
 * the layers from the first one it changes.
 */
public final class HeldOutEvaluator implements AutoCloseable {
  /**
   * @param perplexity over every scored prediction of every window
   * @param deltaPerplexity minus the teacher's
   * @param klDivergence mean over predictions of KL(teacher ‖ variant), nats
   * @param topOneAgreement share of predictions where both rank the same token first
   */
  public record Score(double perplexity, double deltaPerplexity, double klDivergence, double topOneAgreement) {}

  private final OptWeights weights;
  private final ModelDimensions dims;
  private final List<long[]> windows;
  private final Map<Integer, ShardRunner> layerRunners = new HashMap<>();
  private final ShardRunner embedding;
  private final ShardRunner head;
  private final float[][][] hiddenIn; // [layer 0..n][window]
  private final float[][][] received; // [layer][window]
  private final float[][] teacherLogProbs; // [window], predictions × vocab
  private final int[][] teacherTop; // [window][prediction]
  private final Score teacher;

  public HeldOutEvaluator(OptWeights weights, List<long[]> windows) {
    this.weights = weights;
    this.dims = weights.dimensions();
    this.windows = List.copyOf(windows);
    for (long[] w : windows) {
      if (w.length > dims.maxPositions()) {
        throw new IllegalArgumentException("a window of " + w.length + " tokens exceeds the model's " + dims.maxPositions() + " positions");
      }
    }
    int n = dims.layers();
    embedding = ShardRunner.inMemory(weights, new LayerSelection(-1, -1, List.of(), true, false), WeightBits.FP32, WeightBits.FP32);
    head = ShardRunner.inMemory(weights, new LayerSelection(-1, -1, List.of(), false, true), WeightBits.FP32, WeightBits.FP32);
    hiddenIn = new float[n + 1][windows.size()][];
    received = new float[n][windows.size()][];
    teacherLogProbs = new float[windows.size()][];
    teacherTop = new int[windows.size()][];
    double nll = 0;
    for (int w = 0; w < windows.size(); w++) {
      long[] ids = windows.get(w);
      hiddenIn[0][w] = embedding.embed(ids, 0);
      for (int layer = 0; layer < n; layer++) {
        LayerStep step = runner(layer, WeightBits.FP32).runLayers(hiddenIn[layer][w], ids.length, KvState.empty());
        hiddenIn[layer + 1][w] = step.hidden();
        received[layer][w] = step.attentionReceived();
      }
      teacherLogProbs[w] = logProbabilities(head.lmHead(hiddenIn[n][w], ids.length), ids.length - 1);
      teacherTop[w] = argMaxRows(teacherLogProbs[w]);
      nll += negativeLogLikelihood(teacherLogProbs[w], ids);
    }
    double perplexity = Math.exp(nll / HeldOutText.predictions(windows));
    teacher = new Score(perplexity, 0, 0, 1);
  }

  /**
   * The perplexity of {@code weights} as stored over {@code windows}, streamed (nothing kept per
   * window), to compare with the training script's held-out loss over the same windows.
   */
  public static double perplexity(OptWeights weights, List<long[]> windows) {
    ModelDimensions dims = weights.dimensions();
    LayerSelection all = LayerSelection.wholeModel(dims.layers(), WeightBits.FP32);
    double nll = 0;
    try (ShardRunner model = ShardRunner.inMemory(weights, all, WeightBits.FP32, WeightBits.FP32)) {
      for (long[] ids : windows) {
        float[] hidden = model.runLayers(model.embed(ids, 0), ids.length, KvState.empty()).hidden();
        float[] logProbs = QualityMeter.logProbabilities(Arrays.copyOf(model.lmHead(hidden, ids.length), (ids.length - 1) * dims.vocabSize()), dims.vocabSize());
        for (int t = 0; t + 1 < ids.length; t++) {
          nll -= logProbs[t * dims.vocabSize() + (int) ids[t + 1]];
        }
      }
    }
    return Math.exp(nll / HeldOutText.predictions(windows));
  }

  public Score teacher() {
    return teacher;
  }

  public ModelDimensions dimensions() {
    return dims;
  }

  public long predictions() {
    return HeldOutText.predictions(windows);
  }

  /**
   * Every layer at its width in {@code bits} (2, 3, 4, 8; 16 and 32 both mean the weights as
   * stored, which are fp16 values).
   */
  public Score withLayerBits(int[] bits) {
    if (bits.length != dims.layers()) {
      throw new IllegalArgumentException("need " + dims.layers() + " bit widths, got " + bits.length);
    }
    int[] resolved = Arrays.stream(bits).map(b -> b >= WeightBits.FP16 ? WeightBits.FP32 : b).toArray();
    int from = 0;
    while (from < resolved.length && resolved[from] == WeightBits.FP32) {
      from++;
    }
    if (from == resolved.length) {
      return teacher;
    }
    Accumulator total = new Accumulator();
    for (int w = 0; w < windows.size(); w++) {
      float[] x = hiddenIn[from][w];
      for (int layer = from; layer < dims.layers(); layer++) {
        x = runner(layer, resolved[layer]).runLayers(x, windows.get(w).length, KvState.empty()).hidden();
      }
      total.add(w, x);
    }
    return total.score();
  }

  /**
   * The teacher with its hidden state after layer {@code afterLayer} sent through the cut
   * quantizer: {@code round(ρ·tokens)} tokens of each window chosen by {@code choice} at 8 bits,
   * the others at 4.
   */
  public Score withCut(int afterLayer, CutTokenChoice choice, double rho, long seed) {
    if (afterLayer < 0 || afterLayer >= dims.layers() - 1) {
      throw new IllegalArgumentException("a cut sits after layer 0.." + (dims.layers() - 2) + ", not " + afterLayer);
    }
    SplittableRandom random = new SplittableRandom(seed);
    Accumulator total = new Accumulator();
    for (int w = 0; w < windows.size(); w++) {
      int tokens = windows.get(w).length;
      boolean[] high = choice.choose(received[afterLayer][w], TokenAdaptiveQuantizer.highTokenCount(rho, tokens), random);
      float[] x = CutTokenChoice.roundTrip(hiddenIn[afterLayer + 1][w], dims.hiddenSize(), high);
      for (int layer = afterLayer + 1; layer < dims.layers(); layer++) {
        x = runner(layer, WeightBits.FP32).runLayers(x, tokens, KvState.empty()).hidden();
      }
      total.add(w, x);
    }
    return total.score();
  }

  private final class Accumulator {
    double nll;
    double kl;
    long agree;

    void add(int w, float[] lastHidden) {
      long[] ids = windows.get(w);
      float[] logProbs = logProbabilities(head.lmHead(lastHidden, ids.length), ids.length - 1);
      nll += negativeLogLikelihood(logProbs, ids);
      int vocab = dims.vocabSize();
      float[] t = teacherLogProbs[w];
      int[] top = argMaxRows(logProbs);
      for (int row = 0; row < ids.length - 1; row++) {
        kl += QualityMeter.klDivergence(t, logProbs, row * vocab, vocab);
        if (top[row] == teacherTop[w][row]) {
          agree++;
        }
      }
    }

    Score score() {
      long count = predictions();
      double perplexity = Math.exp(nll / count);
      return new Score(perplexity, perplexity - teacher.perplexity(), kl / count, (double) agree / count);
    }
  }

  private ShardRunner runner(int layer, int bits) {
    return layerRunners.computeIfAbsent(
        layer * 64 + bits, key -> ShardRunner.inMemory(weights, new LayerSelection(layer, layer, List.of(bits), false, false), WeightBits.FP32, WeightBits.FP32));
  }

  /** Log-softmax of the rows that predict a token of the window (all but the last). */
  private float[] logProbabilities(float[] logits, int rows) {
    return QualityMeter.logProbabilities(Arrays.copyOf(logits, rows * dims.vocabSize()), dims.vocabSize());
  }

  private double negativeLogLikelihood(float[] logProbs, long[] ids) {
    double nll = 0;
    for (int t = 0; t + 1 < ids.length; t++) {
      nll -= logProbs[t * dims.vocabSize() + (int) ids[t + 1]];
    }
    return nll;
  }

  private int[] argMaxRows(float[] values) {
    int vocab = dims.vocabSize();
    int[] top = new int[values.length / vocab];
    for (int row = 0; row < top.length; row++) {
      top[row] = TokenSampler.argMax(values, row * vocab, vocab);
    }
    return top;
  }

  @Override
  public void close() {
    layerRunners.values().forEach(ShardRunner::close);
    layerRunners.clear();
    embedding.close();
    head.close();
  }
}
