package io.dilemma.worker.model.profile;

import io.dilemma.contract.ModelProfile.AdditivityCheck;
import io.dilemma.contract.ModelProfile.BitCost;
import io.dilemma.contract.ModelProfile.ComponentProfile;
import io.dilemma.contract.ModelProfile.CutProfile;
import io.dilemma.contract.ModelProfile.LayerProfile;
import io.dilemma.contract.ModelProfile.ModelArchitecture;
import io.dilemma.contract.ModelProfile.QualityCost;
import io.dilemma.contract.ModelProfile.RhoCost;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.WeightBits;
import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.LayerStep;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures a model's profile against its own fp32 weights as the teacher.
 *
 * <p>The evaluation text is sampled from the teacher (temperature 1, seeded) or given by the
 * user. The teacher's hidden state entering every layer is kept, so trying a layer at b bits only
 * reruns that layer and the ones after it. Losses: mean KL(teacher ‖ student) of the next-token
 * distribution over the text, and the student's perplexity on the text minus the teacher's.
 *
 * <p>Cuts are measured on the prefill pass: the hidden state after layer i is quantized with
 * {@link TokenAdaptiveQuantizer} using the attention layer i's tokens received over the whole
 * text, then the teacher continues.
 */
public final class ModelProfiler {
  /** Widths tried per layer and the cut ρs, unless the caller says otherwise. */
  public static final List<Integer> DEFAULT_BITS = List.of(2, 3, 4, 8, 16);

  public static final List<Double> DEFAULT_RHOS = List.of(0.0, 0.25, 0.5);

  /**
   * @param text evaluation tokens; null samples {@code evalTokens} from the teacher
   * @param additivitySamples how many multi-layer quantizations check that losses add up
   */
  public record Options(List<Integer> bits, List<Double> rhos, int evalTokens, long seed, long[] text, int additivitySamples) {}

  private final String name;
  private final OptWeights teacher;
  private final ModelDimensions dims;
  private final Options options;
  private final List<ShardRunner> teacherLayers = new ArrayList<>();
  private ShardRunner embedding;
  private ShardRunner head;

  public ModelProfiler(String name, OptWeights teacher, Options options) {
    this.name = name;
    this.teacher = teacher;
    this.dims = teacher.dimensions();
    this.options = options;
  }

  public ModelProfile profile(ProfileProgress progress) {
    int layers = dims.layers();
    progress.start(1 + layers * options.bits().size() + (layers - 1) * options.rhos().size() + options.additivitySamples());
    try {
      openTeacher();
      long[] text = options.text() != null ? options.text() : sampleTeacherText();
      TeacherPass pass = teacherPass(text);
      progress.step();

      LayerCosts costs = new LayerCosts(dims);
      List<LayerProfile> layerProfiles = new ArrayList<>();
      Map<Integer, Map<Integer, Double>> layerKl = new HashMap<>();
      for (int layer = 0; layer < layers; layer++) {
        List<BitCost> bitCosts = new ArrayList<>();
        for (int bits : options.bits()) {
          QualityCost quality = layerQuality(pass, text, layer, bits);
          layerKl.computeIfAbsent(layer, k -> new HashMap<>()).put(bits, quality.klDivergence());
          bitCosts.add(new BitCost(bits, costs.layerBytes(bits), quality));
          progress.step();
        }
        layerProfiles.add(
            new LayerProfile(
                layer, dims.layerParameters(), costs.decodeFlopsPerToken(), costs.prefillFlopsPerToken(), dims.hiddenSize(), costs.kvBytesPerToken(), bitCosts));
      }

      List<CutProfile> cuts = new ArrayList<>();
      for (int layer = 0; layer + 1 < layers; layer++) {
        List<RhoCost> rhoCosts = new ArrayList<>();
        for (double rho : options.rhos()) {
          rhoCosts.add(new RhoCost(rho, cutQuality(pass, text, layer, rho)));
          progress.step();
        }
        cuts.add(new CutProfile(layer, rhoCosts));
      }

      AdditivityCheck additivity = additivity(pass, text, layerKl, progress);
      return assemble(name, dims, layerProfiles, cuts, additivity);
    } finally {
      closeTeacher();
    }
  }

  /**
   * The profile of a model of shape {@code dims} with these layers, cuts and additivity check:
   * its architecture, and its embedding and head as {@link LayerCosts} counts them (fp16).
   */
  public static ModelProfile assemble(
      String name, ModelDimensions dims, List<LayerProfile> layers, List<CutProfile> cuts, AdditivityCheck additivity) {
    LayerCosts costs = new LayerCosts(dims);
    return new ModelProfile(
        ModelProfile.SCHEMA_VERSION,
        name,
        new ModelArchitecture(
            dims.layers(), dims.hiddenSize(), dims.wordEmbedDim(), dims.heads(), dims.ffnSize(), dims.vocabSize(), dims.maxPositions(), dims.preLayerNorm()),
        new ComponentProfile(costs.embeddingParameters(), costs.embeddingBytes(16), costs.embeddingDecodeFlops()),
        new ComponentProfile(costs.headParameters(), costs.headBytes(16), costs.headDecodeFlops()),
        layers,
        cuts,
        additivity);
  }

  private void openTeacher() {
    embedding = ShardRunner.inMemory(teacher, new LayerSelection(-1, -1, List.of(), true, false), 32, 32);
    head = ShardRunner.inMemory(teacher, new LayerSelection(-1, -1, List.of(), false, true), 32, 32);
    for (int layer = 0; layer < dims.layers(); layer++) {
      teacherLayers.add(layerRunner(teacher, layer, WeightBits.FP32));
    }
  }

  private void closeTeacher() {
    teacherLayers.forEach(ShardRunner::close);
    teacherLayers.clear();
    if (embedding != null) {
      embedding.close();
    }
    if (head != null) {
      head.close();
    }
  }

  private static ShardRunner layerRunner(OptWeights weights, int layer, int bits) {
    return ShardRunner.inMemory(weights, new LayerSelection(layer, layer, List.of(bits), false, false), 32, 32);
  }

  /** Tokens sampled from the teacher at temperature 1, starting from OPT's {@code </s>}. */
  private long[] sampleTeacherText() {
    TokenSampler sampler = new TokenSampler(1.0, options.seed());
    long[] text = new long[options.evalTokens()];
    text[0] = 2;
    List<KvState> caches = new ArrayList<>();
    teacherLayers.forEach(r -> caches.add(KvState.empty()));
    for (int t = 0; t + 1 < text.length; t++) {
      float[] hidden = embedding.embed(new long[] {text[t]}, t);
      for (int layer = 0; layer < teacherLayers.size(); layer++) {
        LayerStep step = teacherLayers.get(layer).runLayers(hidden, 1, caches.get(layer));
        caches.set(layer, step.present());
        hidden = step.hidden();
      }
      text[t + 1] = sampler.sample(head.lmHeadLastToken(hidden, 1));
    }
    return text;
  }

  /** The teacher over the whole text: hidden state entering each layer, attention received, logits. */
  private record TeacherPass(float[][] hiddenIn, float[][] received, float[] logProbs, double perplexity) {}

  private TeacherPass teacherPass(long[] text) {
    int n = text.length;
    float[][] hiddenIn = new float[dims.layers() + 1][];
    float[][] received = new float[dims.layers()][];
    hiddenIn[0] = embedding.embed(text, 0);
    for (int layer = 0; layer < dims.layers(); layer++) {
      LayerStep step = teacherLayers.get(layer).runLayers(hiddenIn[layer], n, KvState.empty());
      hiddenIn[layer + 1] = step.hidden();
      received[layer] = step.attentionReceived();
    }
    float[] logProbs = QualityMeter.logProbabilities(head.lmHead(hiddenIn[dims.layers()], n), dims.vocabSize());
    return new TeacherPass(hiddenIn, received, logProbs, QualityMeter.perplexity(logProbs, dims.vocabSize(), text));
  }

  /** Runs the teacher from layer {@code from} on {@code hidden}, then scores against the teacher. */
  private QualityCost score(TeacherPass pass, long[] text, int from, float[] hidden, double normalizedError) {
    float[] x = hidden;
    for (int layer = from; layer < dims.layers(); layer++) {
      x = teacherLayers.get(layer).runLayers(x, text.length, KvState.empty()).hidden();
    }
    return compare(pass, text, head.lmHead(x, text.length), normalizedError);
  }

  private QualityCost compare(TeacherPass pass, long[] text, float[] logits, double normalizedError) {
    float[] logProbs = QualityMeter.logProbabilities(logits, dims.vocabSize());
    double kl = QualityMeter.meanKl(pass.logProbs(), logProbs, dims.vocabSize());
    double ppl = QualityMeter.perplexity(logProbs, dims.vocabSize(), text);
    return new QualityCost(normalizedError, kl, ppl - pass.perplexity());
  }

  private QualityCost layerQuality(TeacherPass pass, long[] text, int layer, int bits) {
    double error = layerWeightError(teacher, layer, bits);
    if (bits == WeightBits.FP32) {
      return new QualityCost(0, 0.0, 0.0);
    }
    float[] hidden;
    try (ShardRunner quantized = layerRunner(teacher, layer, bits)) {
      hidden = quantized.runLayers(pass.hiddenIn()[layer], text.length, KvState.empty()).hidden();
    }
    return score(pass, text, layer + 1, hidden, error);
  }

  public static double layerWeightError(OptWeights weights, int layer, int bits) {
    WeightError error = new WeightError();
    for (String linear : OptWeights.BLOCK_LINEARS) {
      FloatTensor w = weights.layer(layer, linear + ".weight");
      error.add(w.data(), w.rows(), w.columns(), bits);
    }
    return error.normalized();
  }

  private QualityCost cutQuality(TeacherPass pass, long[] text, int layer, double rho) {
    float[] x = pass.hiddenIn()[layer + 1];
    float[] restored = TokenAdaptiveQuantizer.roundTrip(x, dims.hiddenSize(), pass.received()[layer], rho);
    return score(pass, text, layer + 1, restored, relativeDifference(x, restored));
  }

  static double relativeDifference(float[] x, float[] restored) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - restored[i];
      diff += d * d;
      norm += (double) x[i] * x[i];
    }
    return norm == 0 ? 0 : Math.sqrt(diff / norm);
  }

  /**
   * Quantizes a random third of the layers at once (at the low widths measured), and compares the
   * measured KL with the sum of those layers' single-layer KLs.
   */
  private AdditivityCheck additivity(TeacherPass pass, long[] text, Map<Integer, Map<Integer, Double>> layerKl, ProfileProgress progress) {
    List<Integer> lowBits = options.bits().stream().filter(b -> b <= 4).toList();
    if (options.additivitySamples() == 0 || lowBits.isEmpty() || dims.layers() < 2) {
      return null;
    }
    SplittableRandom random = new SplittableRandom(options.seed() ^ 0xADD);
    double maxError = 0;
    double sumError = 0;
    int counted = 0;
    for (int sample = 0; sample < options.additivitySamples(); sample++) {
      int quantizedLayers = Math.max(2, dims.layers() / 3);
      Map<Integer, Integer> chosen = new HashMap<>();
      while (chosen.size() < quantizedLayers) {
        chosen.put(random.nextInt(dims.layers()), lowBits.get(random.nextInt(lowBits.size())));
      }
      float[] x = pass.hiddenIn()[0];
      double predicted = 0;
      for (int layer = 0; layer < dims.layers(); layer++) {
        Integer bits = chosen.get(layer);
        if (bits == null) {
          x = teacherLayers.get(layer).runLayers(x, text.length, KvState.empty()).hidden();
        } else {
          predicted += layerKl.get(layer).get(bits);
          try (ShardRunner quantized = layerRunner(teacher, layer, bits)) {
            x = quantized.runLayers(x, text.length, KvState.empty()).hidden();
          }
        }
      }
      double measured = compare(pass, text, head.lmHead(x, text.length), 0).klDivergence();
      if (measured > 1e-12) {
        double error = Math.abs(measured - predicted) / measured;
        maxError = Math.max(maxError, error);
        sumError += error;
        counted++;
      }
      progress.step();
    }
    return counted == 0 ? null : new AdditivityCheck(QualityMetric.KL_DIVERGENCE, counted, maxError, sumError / counted);
  }
}
