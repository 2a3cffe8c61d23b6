package io.dilemma.planner;

import java.util.List;

/**
 * The cost model of issue 2, term by term, precomputed for one problem. {@link PlanEvaluator} sums
 * these terms for a given assignment and {@link PlacementIlp} uses the very same terms as ILP
 * coefficients, so the solver and the evaluator cannot drift apart.
 *
 * <p>Indices: layer i in 0..N-1, node k in 0..K-1 (cluster order), bit option b indexes
 * {@link PlanningOptions#allowedBits()}, ρ option r indexes {@link PlanningOptions#allowedRho()}.
 * Cut c in -1..N-2 is the hop after layer c; c = -1 is the hop from the embedding (always on the
 * origin) to layer 0.
 */
public final class CostModel {
  private final PlanningProblem problem;
  private final int layerCount;
  private final int nodeCount;
  private final int origin;
  private final int[] bits;
  private final double[] rhos;
  private final CutPrecision precision;
  private final long[][] weightBytes; // [i][b], -1 when the profile has no such option
  private final double[][] layerQuality; // [i][b]
  private final double[][] cutQuality; // [c+1][r], NaN when ρ is not allowed at that cut
  private final double[][] bandwidth; // [k][k'], 0 when there is no link
  private final double[][] latency;

  public CostModel(PlanningProblem problem) {
    this.problem = problem;
    ModelCosts model = problem.model();
    Cluster cluster = problem.cluster();
    layerCount = model.layers().size();
    nodeCount = cluster.nodes().size();
    origin = cluster.indexOf(cluster.origin());
    bits = problem.options().allowedBits().stream().mapToInt(Integer::intValue).toArray();
    rhos = problem.options().allowedRho().stream().mapToDouble(Double::doubleValue).toArray();
    precision = problem.options().cutPrecision();

    weightBytes = new long[layerCount][bits.length];
    layerQuality = new double[layerCount][bits.length];
    for (int i = 0; i < layerCount; i++) {
      ModelCosts.LayerCost layer = model.layers().get(i);
      for (int b = 0; b < bits.length; b++) {
        weightBytes[i][b] = -1;
        for (ModelCosts.BitOption option : layer.bits()) {
          if (option.bits() == bits[b]) {
            weightBytes[i][b] = option.weightBytes();
            layerQuality[i][b] = option.quality();
          }
        }
      }
    }

    cutQuality = new double[layerCount][rhos.length];
    for (int c = -1; c < layerCount - 1; c++) {
      ModelCosts.CutCost cut = findCut(model, c);
      for (int r = 0; r < rhos.length; r++) {
        cutQuality[c + 1][r] =
            cut == null || precision.lossless() ? 0.0 : qualityAt(cut.options(), rhos[r]);
      }
    }

    bandwidth = new double[nodeCount][nodeCount];
    latency = new double[nodeCount][nodeCount];
    for (Link link : cluster.links()) {
      int from = cluster.indexOf(link.from());
      int to = cluster.indexOf(link.to());
      if (from < 0 || to < 0) {
        throw new IllegalArgumentException(
            "link " + link.from() + "->" + link.to() + " names a node that is not in the cluster");
      }
      bandwidth[from][to] = link.bandwidth();
      latency[from][to] = link.latencySeconds();
    }
  }

  private static ModelCosts.CutCost findCut(ModelCosts model, int afterLayer) {
    for (ModelCosts.CutCost cut : model.cuts()) {
      if (cut.afterLayer() == afterLayer) return cut;
    }
    return null;
  }

  private static double qualityAt(List<ModelCosts.RhoOption> options, double rho) {
    for (ModelCosts.RhoOption option : options) {
      if (Math.abs(option.rho() - rho) < 1e-9) return option.quality();
    }
    return Double.NaN;
  }

  public PlanningProblem problem() {
    return problem;
  }

  public int layerCount() {
    return layerCount;
  }

  public int nodeCount() {
    return nodeCount;
  }

  public int origin() {
    return origin;
  }

  public int bitOptionCount() {
    return bits.length;
  }

  public int bits(int b) {
    return bits[b];
  }

  public int rhoOptionCount() {
    return rhos.length;
  }

  public double rho(int r) {
    return rhos[r];
  }

  public ComputeNode node(int k) {
    return problem.cluster().nodes().get(k);
  }

  private ModelCosts.LayerCost layer(int i) {
    return problem.model().layers().get(i);
  }

  private int prompt() {
    return problem.workload().promptTokens();
  }

  private int output() {
    return problem.workload().outputTokens();
  }

  /** b: sessions whose decode steps are batched, so the tokens each decode step carries. */
  public int decodeTokensPerStep() {
    return problem.workload().concurrency();
  }

  // ---- availability -------------------------------------------------------------------------

  public boolean bitsAvailable(int i, int b) {
    return weightBytes[i][b] >= 0;
  }

  public boolean rhoAvailable(int cut, int r) {
    return !Double.isNaN(cutQuality[cut + 1][r]);
  }

  public boolean linked(int from, int to) {
    return from == to || bandwidth[from][to] > 0;
  }

  public double bandwidth(int from, int to) {
    return bandwidth[from][to];
  }

  // ---- time ----------------------------------------------------------------------------------

  /**
   * The one conversion of a time measured on the profiling machine to node k: by the ratio of the
   * two machines' MatMul figures (the profiler records its own, the prober publishes the node's).
   */
  private double onNode(double referenceSeconds, int k) {
    return referenceSeconds * problem.model().measured().referenceFlopsPerSecond() / node(k).flopsPerSecond();
  }

  private ModelCosts.MeasuredBits measured(int i, int b) {
    ModelCosts.MeasuredTimes times = problem.model().measured();
    return times == null ? null : times.at(i, bits[b]);
  }

  /**
   * One batched decode step. Measured: the timed step (one token) on node k; b sessions' tokens
   * cannot take less than b times the FLOPs. Otherwise the roofline: the b tokens cost b times the
   * FLOPs, but the packed weights are streamed from memory once for all of them.
   */
  public double layerDecodeSeconds(int i, int k, int b) {
    ComputeNode node = node(k);
    double flopsBound = decodeTokensPerStep() * layer(i).decodeFlops() / node.flopsPerSecond();
    ModelCosts.MeasuredBits measured = measured(i, b);
    if (measured != null) return Math.max(onNode(measured.decodeSeconds(), k), flopsBound);
    return Math.max(flopsBound, weightBytes[i][b] / node.memoryBandwidth());
  }

  /** Prefill processes p tokens in one batch: measured per token, or compute-bound. */
  public double layerPrefillSeconds(int i, int k, int b) {
    ModelCosts.MeasuredBits measured = measured(i, b);
    if (measured != null) return prompt() * onNode(measured.prefillSecondsPerToken(), k);
    return prompt() * layer(i).prefillFlops() / node(k).flopsPerSecond();
  }

  /** The LM head runs once per decode step on the node of the last layer. */
  public double headDecodeSeconds(int k) {
    ComputeNode node = node(k);
    ModelCosts model = problem.model();
    double flopsBound = decodeTokensPerStep() * model.headDecodeFlops() / node.flopsPerSecond();
    if (model.measured() != null) return Math.max(onNode(model.measured().headDecodeSeconds(), k), flopsBound);
    return Math.max(flopsBound, model.headBytes() / node.memoryBandwidth());
  }

  /** Prefill only needs the logits of the last prompt token. */
  public double headPrefillSeconds(int k) {
    ModelCosts model = problem.model();
    if (model.measured() != null) return onNode(model.measured().headDecodeSeconds(), k);
    return model.headDecodeFlops() / node(k).flopsPerSecond();
  }

  /**
   * The head's own work in every step (after prefill, and each decode step), on the origin:
   * embedding the token, sampling and detokenizing it. Unmeasured, it is not priced.
   */
  public double stepOverheadSeconds() {
    ModelCosts.MeasuredTimes times = problem.model().measured();
    return times == null ? 0.0 : decodeTokensPerStep() * onNode(times.stepOverheadSeconds(), origin);
  }

  /**
   * What one cut adds to a step beside its bytes and the link's latency: the frame's round trip
   * through the runtime (the frame out, the token back on its reply), half of it on the sender and
   * half on the receiver.
   */
  private double hopOverheadSeconds(int from, int to) {
    ModelCosts.MeasuredTimes times = problem.model().measured();
    return times == null ? 0.0 : (onNode(times.hopOverheadSeconds(), from) + onNode(times.hopOverheadSeconds(), to)) / 2;
  }

  /** Width d of the activation crossing cut c (the embedding output for c = -1). */
  public int cutWidth(int cut) {
    return layer(Math.max(cut, 0)).hiddenSize();
  }

  /** Bits per activation value at a cut with ρ option r. */
  public double cutAverageBits(int r) {
    return precision.averageBits(rhos[r]);
  }

  /** Seconds to send one token's activation over the cut at ρ: d·avgbits(ρ)/8 / bw. */
  public double cutTransferSecondsPerToken(int cut, int from, int to, int r) {
    return cutWidth(cut) * cutAverageBits(r) / 8 / bandwidth[from][to];
  }

  /**
   * What a step pays per cut beside the bytes: the link's latency and the hop's measured work
   * (codec, framing, the RPC's transports and wake-ups). Both are per step, so the ILP prices them
   * as one.
   */
  public double latencySeconds(int from, int to) {
    return from == to ? 0.0 : latency[from][to] + hopOverheadSeconds(from, to);
  }

  /**
   * The sampled token's way back from the last layer's node to the origin: the link's latency
   * only. The token rides the reply of every cut's step, whose work {@link #latencySeconds} already
   * carries as a round trip.
   */
  public double returnLatencySeconds(int last) {
    return last == origin ? 0.0 : latency[last][origin];
  }

  /** Layer i on node k at bits b, over the whole request: prefill once, then n decode steps. */
  public double layerTotalSeconds(int i, int k, int b) {
    return layerPrefillSeconds(i, k, b) + output() * layerDecodeSeconds(i, k, b);
  }

  /**
   * What holding the last layer on node k adds to the request: the LM head, and the token's way
   * back to the origin (once after prefill, then once per decode step). The head's
   * per-step work is the same wherever the last layer is, and every plan has one last layer, so it
   * is carried here.
   */
  public double tailTotalSeconds(int k) {
    return headPrefillSeconds(k)
        + output() * headDecodeSeconds(k)
        + (1 + output()) * (returnLatencySeconds(k) + stepOverheadSeconds());
  }

  /**
   * A cut from node `from` to node `to` at ρ, over the whole request: p tokens and one latency in
   * prefill, then per decode step one token of each of the b batched sessions and one latency.
   */
  public double cutTotalSeconds(int cut, int from, int to, int r) {
    return cutTokens() * cutTransferSecondsPerToken(cut, from, to, r) + (1 + output()) * latencySeconds(from, to);
  }

  /** Activations every cut carries over the request: p in prefill, b per decode step. */
  public long cutTokens() {
    return prompt() + (long) output() * decodeTokensPerStep();
  }

  // ---- memory --------------------------------------------------------------------------------

  public long weightBytes(int i, int b) {
    return weightBytes[i][b];
  }

  /** Weights at the chosen bits plus the KV cache for all p + n tokens. */
  public long layerMemoryBytes(int i, int b) {
    return weightBytes[i][b] + layerKvBytes(i);
  }

  /** The KV cache layer i holds for the b sessions of the workload, each p + n tokens. */
  public long layerKvBytes(int i) {
    return layer(i).kvBytesPerToken() * (long) (prompt() + output()) * decodeTokensPerStep();
  }

  public long headBytes() {
    return problem.model().headBytes();
  }

  public long embeddingBytes() {
    return problem.model().embeddingBytes();
  }

  public long memoryCapacity(int k) {
    return node(k).memoryBytes();
  }

  // ---- quality -------------------------------------------------------------------------------

  public double layerQuality(int i, int b) {
    return layerQuality[i][b];
  }

  public double cutQuality(int cut, int r) {
    return cutQuality[cut + 1][r];
  }

  public double qualityBudget() {
    return problem.qualityBudget();
  }

  public long parameters(int i) {
    return layer(i).parameters();
  }
}
