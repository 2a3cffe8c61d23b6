package io.dilemma.worker.bench.quality;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.worker.bench.quality.HeldOutEvaluator.Score;
import io.dilemma.worker.model.importer.HfOptImporter;
import io.dilemma.worker.model.profile.ModelProfiler;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Held-out quality of a trained OPT checkpoint under weight and cut quantization, as markdown
 * tables: uniform bits, ILP mixed bits at fixed weight-bit ratios, the weight proxy against
 * measured ΔPPL, additivity, and token-adaptive cut quantization against its controls.
 */
@Command(
    name = "quality",
    description = "Held-out perplexity at uniform and ILP mixed bits, proxy rank correlation, additivity, cut token choice.")
final class BenchQualityCommand extends DilemmaCommand {
  private static final int[] LAYER_BITS = {2, 3, 4, 8};

  @Option(names = "--checkpoint", required = true, description = "Hugging Face OPT directory (config.json, model.safetensors, vocab.json, merges.txt)")
  Path checkpoint;

  @Option(names = "--heldout", description = "held-out text, passages separated by a line '%%' (default: heldout.txt in the checkpoint)")
  Path heldout;

  @Option(names = "--windows", defaultValue = "96", description = "context-length windows of held-out text to score (the first ones)")
  int windows;

  @Option(names = "--calibration-windows", defaultValue = "32", description = "windows (the last ones, disjoint from the scored) on which the ILP's single-layer costs are measured")
  int calibrationWindows;

  @Option(names = "--random-seeds", defaultValue = "3", description = "seeds of the random token choice at a cut")
  int randomSeeds;

  @Option(names = "--permutations", defaultValue = "4", description = "random layer arrangements of each ILP plan's widths, the control at exactly its ratio")
  int permutations;

  @Option(names = "--ratios", defaultValue = "0.5,0.3,0.25,0.2,0.1875,0.15", split = ",", description = "weight-bit ratios (of 16 bits) for the ILP")
  List<Double> ratios;

  @Option(names = "--rho", defaultValue = "0.1,0.25,0.5", split = ",", description = "cut ρ values (share of tokens at 8 bits)")
  List<Double> rhos;

  @Option(names = "--additivity-samples", defaultValue = "8", description = "multi-layer quantizations scored whole, to check that per-layer ΔPPL adds up")
  int additivitySamples;

  @Option(names = "--seed", defaultValue = "1", description = "seed of the additivity samples, the layer permutations and the random token choice at a cut")
  long seed;

  @Option(names = "--out", description = "also write the markdown here")
  Path out;

  private final StringBuilder md = new StringBuilder();

  @Override
  protected int execute() throws Exception {
    run();
    return ExitCode.OK;
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    OptWeights weights = HfOptImporter.read(checkpoint.resolve("config.json"), checkpoint.resolve("model.safetensors"));
    BpeTokenizer tokenizer = BpeTokenizer.load(checkpoint.resolve("vocab.json"), checkpoint.resolve("merges.txt"));
    ModelDimensions dims = weights.dimensions();
    Path text = heldout != null ? heldout : checkpoint.resolve("heldout.txt");
    List<long[]> all = HeldOutText.windows(text, tokenizer, dims.maxPositions(), 0);
    if (windows < 1 || calibrationWindows < 1 || windows + calibrationWindows > all.size()) {
      throw new ParameterException(spec.commandLine(),
          text + " has " + all.size() + " windows; --windows " + windows + " + --calibration-windows " + calibrationWindows + " must be ≥ 2 and fit");
    }
    List<long[]> scored = all.subList(0, windows);
    List<long[]> calibration = all.subList(all.size() - calibrationWindows, all.size());
    String name = checkpoint.toAbsolutePath().getFileName().toString();
    double wholePerplexity = HeldOutEvaluator.perplexity(weights, all);
    progress("perplexity over all held-out windows");
    List<LayerTrial> calibrationTrials;
    try (HeldOutEvaluator calibrator = new HeldOutEvaluator(weights, calibration)) {
      calibrationTrials = measureLayerTrials(calibrator, weights);
    }
    progress("calibration trials");
    try (HeldOutEvaluator evaluator = new HeldOutEvaluator(weights, scored)) {
      Score teacher = evaluator.teacher();
      line("## Held-out quality of `%s`", name);
      line("");
      line("%d layers, d = %d, %d heads, ffn %d, vocab %d. Teacher: the checkpoint's fp16 weights computed in fp32. "
              + "Scored: the first %d of the %d held-out windows (≤ %d tokens each, %d predictions), teacher perplexity **%.3f**. "
              + "Over all %d windows the teacher's perplexity is %.3f%s. "
              + "The ILP's single-layer costs come from the last %d windows, disjoint from the scored ones. Embedding and LM head stay fp16 in every row.",
          dims.layers(), dims.hiddenSize(), dims.heads(), dims.ffnSize(), dims.vocabSize(), scored.size(), all.size(), dims.maxPositions(), evaluator.predictions(), teacher.perplexity(),
          all.size(), wholePerplexity, trainingScriptPerplexity(), calibration.size());
      line("");
      progress("teacher pass done");

      Map<Integer, Score> uniform = uniformBits(evaluator, dims);
      List<LayerTrial> trials = measureLayerTrials(evaluator, weights);
      layerTable(trials, dims);
      proxyCorrelation(trials);
      additivity(evaluator, trials, dims);
      mixedBits(evaluator, dims, name, calibrationTrials, uniform);
      cuts(evaluator, dims);
      line("Measured in %.0f s.", (System.nanoTime() - started) / 1e9);
    }
    out().print(md);
    out().flush();
    if (out != null) {
      Files.writeString(out, md.toString());
    }
  }

  private Map<Integer, Score> uniformBits(HeldOutEvaluator evaluator, ModelDimensions dims) {
    line("### Perplexity at uniform weight bits (every decoder layer)");
    line("");
    line("| bits | weight-bit ratio | perplexity | ΔPPL | KL (nats) | top-1 agreement |");
    line("|---|---|---|---|---|---|");
    Map<Integer, Score> uniform = new LinkedHashMap<>();
    for (int bits : new int[] {16, 8, 4, 3, 2}) {
      int[] all = new int[dims.layers()];
      Arrays.fill(all, bits);
      Score s = evaluator.withLayerBits(all);
      uniform.put(bits, s);
      line("| %s | %.1f %% | %.3f | %+.3f | %.4f | %.2f %% |", bits == 16 ? "16 (fp16)" : bits, 100 * bits / 16.0, s.perplexity(), s.deltaPerplexity(), s.klDivergence(), 100 * s.topOneAgreement());
      progress("uniform " + bits);
    }
    line("");
    return uniform;
  }

  private List<LayerTrial> measureLayerTrials(HeldOutEvaluator evaluator, OptWeights weights) {
    ModelDimensions dims = weights.dimensions();
    List<LayerTrial> trials = new ArrayList<>();
    for (int layer = 0; layer < dims.layers(); layer++) {
      for (int bits : LAYER_BITS) {
        int[] config = new int[dims.layers()];
        Arrays.fill(config, 16);
        config[layer] = bits;
        trials.add(new LayerTrial(layer, bits, ModelProfiler.layerWeightError(weights, layer, bits), evaluator.withLayerBits(config)));
      }
      progress("layer " + layer + " trials");
    }
    return trials;
  }

  private void layerTable(List<LayerTrial> trials, ModelDimensions dims) {
    line("### One layer quantized at a time");
    line("");
    line("‖W−Q(W)‖/‖W‖ over the block's six matrices (the seeds' proxy), then the held-out KL and ΔPPL with only that layer quantized.");
    line("");
    StringBuilder header = new StringBuilder("| layer |");
    StringBuilder rule = new StringBuilder("|---|");
    for (int bits : LAYER_BITS) {
      header.append(String.format(" %d b: error / KL / ΔPPL |", bits));
      rule.append("---|");
    }
    line(header.toString());
    line(rule.toString());
    for (int layer = 0; layer < dims.layers(); layer++) {
      StringBuilder row = new StringBuilder("| " + layer + " |");
      for (LayerTrial t : trials) {
        if (t.layer() == layer) {
          row.append(String.format(Locale.ROOT, " %.3f / %.4f / %+.3f |", t.weightError(), t.score().klDivergence(), t.score().deltaPerplexity()));
        }
      }
      line(row.toString());
    }
    line("");
  }

  /** The held-out perplexity the training manifest records, when there is one. */
  private String trainingScriptPerplexity() {
    Path manifest = checkpoint.resolve("training-manifest.json");
    if (!Files.isRegularFile(manifest)) {
      return "";
    }
    try {
      double recorded = io.dilemma.contract.ContractJson.mapper().readTree(manifest.toFile()).path("final").path("heldOutPerplexity").asDouble(Double.NaN);
      return String.format(Locale.ROOT, " (the training script's PyTorch pass recorded %.3f)", recorded);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private void proxyCorrelation(List<LayerTrial> trials) {
    line("### Does the weight-difference proxy predict ΔPPL?");
    line("");
    line("Spearman rank correlation across layers, per width (n = number of layers), and pooled over every (layer, width) trial.");
    line("");
    line("| width | ρ(weight error, ΔPPL) | ρ(KL, ΔPPL) | layer most hurt by ΔPPL | layer the proxy ranks worst |");
    line("|---|---|---|---|---|");
    for (int bits : LAYER_BITS) {
      List<LayerTrial> at = trials.stream().filter(t -> t.bits() == bits).toList();
      double[] error = at.stream().mapToDouble(LayerTrial::weightError).toArray();
      double[] kl = at.stream().mapToDouble(t -> t.score().klDivergence()).toArray();
      double[] dppl = at.stream().mapToDouble(t -> t.score().deltaPerplexity()).toArray();
      line("| %d | %s | %s | %d | %d |", bits, fmt(RankCorrelation.spearman(error, dppl)), fmt(RankCorrelation.spearman(kl, dppl)), at.get(argMax(dppl)).layer(), at.get(argMax(error)).layer());
    }
    double[] error = trials.stream().mapToDouble(LayerTrial::weightError).toArray();
    double[] kl = trials.stream().mapToDouble(t -> t.score().klDivergence()).toArray();
    double[] dppl = trials.stream().mapToDouble(t -> t.score().deltaPerplexity()).toArray();
    line("| pooled (%d trials) | %s | %s | | |", trials.size(), fmt(RankCorrelation.spearman(error, dppl)), fmt(RankCorrelation.spearman(kl, dppl)));
    line("");
  }

  private void additivity(HeldOutEvaluator evaluator, List<LayerTrial> trials, ModelDimensions dims) {
    if (additivitySamples == 0) {
      return;
    }
    SplittableRandom random = new SplittableRandom(seed ^ 0xADD);
    line("### Additivity: several layers at once against the sum of their single-layer losses");
    line("");
    line("Each sample quantizes a random half of the layers at random widths from {2, 3, 4, 8}. Relative error = |measured − Σ single| / measured.");
    line("");
    line("| sample | widths per layer | measured ΔPPL | Σ single ΔPPL | measured KL | Σ single KL |");
    line("|---|---|---|---|---|---|");
    double[] pplError = new double[additivitySamples];
    double[] klError = new double[additivitySamples];
    double[] measuredKl = new double[additivitySamples];
    double[] predictedKl = new double[additivitySamples];
    for (int sample = 0; sample < additivitySamples; sample++) {
      int[] config = new int[dims.layers()];
      Arrays.fill(config, 16);
      int chosen = 0;
      while (chosen < Math.max(2, dims.layers() / 2)) {
        int layer = random.nextInt(dims.layers());
        if (config[layer] == 16) {
          config[layer] = LAYER_BITS[random.nextInt(LAYER_BITS.length)];
          chosen++;
        }
      }
      Score joint = evaluator.withLayerBits(config);
      double sumPpl = 0;
      double sumKl = 0;
      for (LayerTrial t : trials) {
        if (config[t.layer()] == t.bits()) {
          sumPpl += t.score().deltaPerplexity();
          sumKl += t.score().klDivergence();
        }
      }
      pplError[sample] = Math.abs(joint.deltaPerplexity() - sumPpl) / Math.abs(joint.deltaPerplexity());
      klError[sample] = Math.abs(joint.klDivergence() - sumKl) / joint.klDivergence();
      measuredKl[sample] = joint.klDivergence();
      predictedKl[sample] = sumKl;
      line("| %d | %s | %+.3f | %+.3f | %.4f | %.4f |", sample + 1, widths(config), joint.deltaPerplexity(), sumPpl, joint.klDivergence(), sumKl);
      progress("additivity " + (sample + 1));
    }
    line("");
    line("Relative error of the sum: ΔPPL mean %.0f %%, max %.0f %%; KL mean %.0f %%, max %.0f %%. Rank correlation of Σ single KL with measured KL over the samples: %s.",
        100 * mean(pplError), 100 * max(pplError), 100 * mean(klError), 100 * max(klError), additivitySamples >= 2 ? fmt(RankCorrelation.spearman(predictedKl, measuredKl)) : "n/a");
    line("");
  }

  private void mixedBits(HeldOutEvaluator evaluator, ModelDimensions dims, String name, List<LayerTrial> calibrationTrials, Map<Integer, Score> uniform) {
    ModelProfile profile = SensitivityProfile.of(name, dims, calibrationTrials);
    MixedBitsPlanner planner = new MixedBitsPlanner(new CpSatPlanner());
    line("### DILEMMA's claim: ILP mixed bits against uniform bits at the same weight-bit ratio");
    line("");
    line("The operator's planner (CP-SAT) picks per-layer widths from {2, 3, 4, 8, 16} with the least summed single-layer cost, in the metric named, "
        + "whose weights fit in ratio × the 16-bit layers. The single-layer costs are measured on the calibration windows (ΔPPL < 0 entered as 0); "
        + "everything in the table is scored on the other windows. Controls: *same widths, random layers* puts the plan's widths on randomly permuted layers "
        + "(mean of %d seeded permutations; exactly the same ratio), and the uniform widths just below and just above the budget.", permutations);
    line("");
    line("| budget ratio | ILP metric | widths per layer | ratio used | perplexity | ΔPPL | top-1 agreement | same widths, random layers: ΔPPL | uniform ≤ budget: ΔPPL | uniform above: ΔPPL |");
    line("|---|---|---|---|---|---|---|---|---|---|");
    Map<String, Score> seen = new LinkedHashMap<>();
    Map<String, Double> permuted = new LinkedHashMap<>();
    for (double ratio : ratios) {
      Integer below = null;
      Integer above = null;
      for (int bits : new int[] {2, 3, 4, 8, 16}) {
        if (bits / 16.0 <= ratio + 1e-9) {
          below = bits;
        } else if (above == null) {
          above = bits;
        }
      }
      for (QualityMetric metric : QualityMetric.values()) {
        int[] bits = planner.choose(profile, metric, ratio);
        if (bits == null) {
          line("| %.2f %% | %s | no plan fits | | | | | | | |", 100 * ratio, metricName(metric));
          continue;
        }
        Score s = seen.computeIfAbsent(widths(bits), key -> evaluator.withLayerBits(bits));
        String control = Arrays.stream(bits).distinct().count() == 1
            ? "(uniform)"
            : String.format(Locale.ROOT, "%+.3f", permuted.computeIfAbsent(sortedWidths(bits), key -> permutedMean(evaluator, bits)));
        line("| %.2f %% | %s | %s | %.2f %% | %.3f | %+.3f | %.2f %% | %s | %s | %s |",
            100 * ratio, metricName(metric), widths(bits), 100 * SensitivityProfile.ratio(bits), s.perplexity(), s.deltaPerplexity(), 100 * s.topOneAgreement(), control,
            below == null ? "–" : String.format(Locale.ROOT, "%d b: %+.3f", below, uniform.get(below).deltaPerplexity()),
            above == null ? "–" : String.format(Locale.ROOT, "%d b: %+.3f", above, uniform.get(above).deltaPerplexity()));
      }
      progress("ILP ratio " + ratio);
    }
    line("");
  }

  /** Mean ΔPPL of {@code bits} on seeded random permutations of the layers. */
  private double permutedMean(HeldOutEvaluator evaluator, int[] bits) {
    SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L ^ sortedWidths(bits).hashCode());
    double sum = 0;
    for (int p = 0; p < permutations; p++) {
      int[] shuffled = bits.clone();
      for (int i = shuffled.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = shuffled[i];
        shuffled[i] = shuffled[j];
        shuffled[j] = swap;
      }
      sum += evaluator.withLayerBits(shuffled).deltaPerplexity();
    }
    return sum / permutations;
  }

  private static String sortedWidths(int[] bits) {
    return widths(Arrays.stream(bits).sorted().toArray());
  }

  private void cuts(HeldOutEvaluator evaluator, ModelDimensions dims) {
    int cuts = dims.layers() - 1;
    line("### Token-adaptive activation quantization at a cut");
    line("");
    line("The hidden state after layer i (every cut i = 0..%d, one at a time, weights unquantized) is quantized per token, each window as one chunk: round(ρ·tokens) tokens at 8 bits, "
        + "the rest at 4. Same ρ = same average bits (4 + 4ρ). Token choices: *attention* = the most attention received in layer i, summed over heads and queries "
        + "(what the serving runtime does); *attention per query* = the same divided by the n − t queries that can see token t; *random* = seeded, mean over %d seeds "
        + "(the spread is the range of the per-seed means over cuts); *first ρ* = the first tokens. "
        + "ΔPPL is the mean over cuts; *beats random* counts the cuts where the choice's ΔPPL is below random's mean at that cut.", cuts - 1, randomSeeds);
    line("");
    line("| ρ | avg bits | choice | ΔPPL (mean over cuts) | ΔPPL per cut | top-1 agreement (mean) | beats random |");
    line("|---|---|---|---|---|---|---|");
    cutRow(evaluator, cuts, 0.0, CutTokenChoice.FIRST, "uniform 4", null);
    for (double rho : rhos) {
      double[] random = new double[cuts];
      double agreement = 0;
      double low = Double.POSITIVE_INFINITY;
      double high = Double.NEGATIVE_INFINITY;
      for (int r = 0; r < randomSeeds; r++) {
        double seedMean = 0;
        for (int cut = 0; cut < cuts; cut++) {
          Score s = evaluator.withCut(cut, CutTokenChoice.RANDOM, rho, seed + 1000L * r + cut);
          random[cut] += s.deltaPerplexity() / randomSeeds;
          agreement += s.topOneAgreement() / (cuts * randomSeeds);
          seedMean += s.deltaPerplexity() / cuts;
        }
        low = Math.min(low, seedMean);
        high = Math.max(high, seedMean);
      }
      line("| %.2f | %.1f | random (%d seeds) | %+.4f (%+.4f … %+.4f) | %s | %.2f %% | |", rho, 4 + 4 * rho, randomSeeds, mean(random), low, high, perCut(random), 100 * agreement);
      cutRow(evaluator, cuts, rho, CutTokenChoice.FIRST, "first ρ", random);
      cutRow(evaluator, cuts, rho, CutTokenChoice.ATTENTION, "attention", random);
      cutRow(evaluator, cuts, rho, CutTokenChoice.ATTENTION_PER_QUERY, "attention per query", random);
      progress("cuts ρ=" + rho);
    }
    cutRow(evaluator, cuts, 1.0, CutTokenChoice.FIRST, "uniform 8", null);
    line("");
  }

  private static String perCut(double[] values) {
    return Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%+.3f", v)).collect(Collectors.joining(", "));
  }

  /** One table row; returns ΔPPL per cut. */
  private double[] cutRow(HeldOutEvaluator evaluator, int cuts, double rho, CutTokenChoice choice, String label, double[] random) {
    double[] dppl = new double[cuts];
    double agreement = 0;
    for (int cut = 0; cut < cuts; cut++) {
      Score s = evaluator.withCut(cut, choice, rho, seed + cut);
      dppl[cut] = s.deltaPerplexity();
      agreement += s.topOneAgreement() / cuts;
    }
    String beats = "";
    if (random != null) {
      int wins = 0;
      for (int cut = 0; cut < cuts; cut++) {
        if (dppl[cut] < random[cut]) {
          wins++;
        }
      }
      beats = wins + " / " + cuts;
    }
    line("| %.2f | %.1f | %s | %+.4f | %s | %.2f %% | %s |", rho, 4 + 4 * rho, label, mean(dppl), perCut(dppl), 100 * agreement, beats);
    return dppl;
  }

  private static String metricName(QualityMetric metric) {
    return switch (metric) {
      case NORMALIZED_ERROR -> "weight difference";
      case KL_DIVERGENCE -> "KL";
      case DELTA_PERPLEXITY -> "ΔPPL";
    };
  }

  private static String widths(int[] bits) {
    return Arrays.stream(bits).mapToObj(String::valueOf).collect(Collectors.joining(" "));
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%+.2f", v);
  }

  private static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElse(Double.NaN);
  }

  private static double max(double[] values) {
    return Arrays.stream(values).max().orElse(Double.NaN);
  }

  private void line(String format, Object... args) {
    md.append(String.format(Locale.ROOT, format, args)).append('\n');
  }

  private void progress(String what) {
    err().println("bench quality: " + what);
    err().flush();
  }
}
