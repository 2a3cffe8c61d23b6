package io.dilemma.worker.model.profile;

import ai.onnxruntime.OrtException;
import io.dilemma.contract.ModelProfile.BitTiming;
import io.dilemma.contract.ModelProfile.LayerTiming;
import io.dilemma.contract.ModelProfile.MeasuredTiming;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.quant.TokenAdaptiveQuantizer;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.MatMulBenchmark;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.sampling.TokenSampler;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.SynchronousQueue;

/**
 * Measures what a shard's steps take on this machine: the layers as a shard loads them from the
 * model directory (per-layer graphs at each stored bit width, through the shard runtime's ONNX
 * Runtime settings), the LM head, the head's per-step work and one hop's CPU work, each the median
 * of {@code repeats} runs after one warm-up; and, beside them, the MatMul figure the prober
 * publishes for a node, so that the planner can carry the times to other nodes. That figure is the
 * median of samples taken before the first layer and after each layer and the head: the planner
 * divides the times by it, so it must see the load they were measured under, and a single sample at
 * the end of a pass on a shared machine caught a different moment from the times before it.
 *
 * @param bits the widths to time; a width the directory does not store is skipped
 * @param promptTokens prompt length of the timed prefill
 * @param kvTokens KV length of the timed decode step, e.g. prompt + half the output
 * @param repeats timed runs per figure
 */
public record TimingProfiler(List<Integer> bits, int promptTokens, int kvTokens, int repeats) {
  public TimingProfiler {
    bits = List.copyOf(bits);
    if (promptTokens < 1 || kvTokens < 1 || repeats < 1) {
      throw new IllegalArgumentException("timing: prompt tokens, KV tokens and repeats must be positive");
    }
  }

  public MeasuredTiming measure(Path modelDir) throws ModelException, OrtException {
    ModelDirectory directory = ModelDirectory.open(modelDir);
    ModelDimensions dims = directory.manifest().dimensions();
    int d = dims.hiddenSize();
    SplittableRandom random = new SplittableRandom(10);
    float[] prompt = activations(random, promptTokens * d);
    float[] context = activations(random, kvTokens * d);
    float[] token = activations(random, d);

    List<Double> flops = new ArrayList<>(List.of(MatMulBenchmark.asPublished().flopsPerSecond()));
    List<LayerTiming> layers = new ArrayList<>();
    for (int layer = 0; layer < dims.layers(); layer++) {
      List<BitTiming> timed = new ArrayList<>();
      for (int width : bits) {
        if (!stores(directory, layer, width)) continue;
        try (ShardRunner runner = ShardRunner.open(modelDir, new LayerSelection(layer, layer, List.of(width), false, false))) {
          double prefill = median(() -> runner.runLayers(prompt, promptTokens, KvState.empty()));
          KvState kv = runner.runLayers(context, kvTokens, KvState.empty()).present();
          double decode = median(() -> runner.runLayers(token, 1, kv));
          timed.add(new BitTiming(width, decode, prefill / promptTokens));
        }
      }
      layers.add(new LayerTiming(layer, timed));
      flops.add(MatMulBenchmark.asPublished().flopsPerSecond());
    }

    double headSeconds;
    double stepOverhead;
    try (ShardRunner ends = ShardRunner.open(modelDir, new LayerSelection(-1, -1, List.of(), true, true))) {
      headSeconds = median(() -> ends.lmHeadLastToken(token, 1));
      float[] logits = ends.lmHeadLastToken(token, 1);
      TokenSampler sampler = new TokenSampler(0.8, 1);
      BpeTokenizer tokenizer = directory.manifest().tokenizer() == null ? null : directory.tokenizer();
      stepOverhead =
          median(
              () -> {
                ends.embed(new long[] {5}, kvTokens);
                int next = sampler.sample(logits);
                if (tokenizer != null) tokenizer.bytesOf(next);
              });
    }
    flops.add(MatMulBenchmark.asPublished().flopsPerSecond());
    return new MeasuredTiming(
        middle(flops.stream().mapToDouble(Double::doubleValue).toArray()),
        Runtime.getRuntime().availableProcessors(),
        kvTokens,
        promptTokens,
        layers,
        headSeconds,
        stepOverhead,
        hopSeconds(token, d));
  }

  /**
   * One token's activation quantized, framed and unpacked at ρ 0.25, and handed to a waiting
   * thread and back: a hop wakes a thread on the sender (the RPC) and on the receiver.
   */
  private double hopSeconds(float[] token, int d) {
    SynchronousQueue<float[]> there = new SynchronousQueue<>();
    SynchronousQueue<float[]> back = new SynchronousQueue<>();
    Thread peer =
        new Thread(
            () -> {
              try {
                while (true) back.put(there.take());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "timing-hop-peer");
    peer.setDaemon(true);
    peer.start();
    try {
      return median(
          () -> {
            float[] restored = TokenAdaptiveQuantizer.roundTrip(token, d, new float[] {1f}, 0.25);
            there.put(restored);
            back.take();
          });
    } finally {
      peer.interrupt();
    }
  }

  private static boolean stores(ModelDirectory directory, int layer, int width) {
    try {
      directory.layer(layer, width);
      return true;
    } catch (ModelException e) {
      return false;
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private double median(Step step) {
    try {
      step.run();
      double[] seconds = new double[repeats];
      for (int i = 0; i < repeats; i++) {
        long start = System.nanoTime();
        step.run();
        seconds[i] = (System.nanoTime() - start) / 1e9;
      }
      return middle(seconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("timing interrupted", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("timing: " + e.getMessage(), e);
    }
  }

  private static double middle(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static float[] activations(SplittableRandom random, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
    return x;
  }
}
