package io.dilemma.planner;

import io.dilemma.planner.ilp.SolverStatus;
import java.util.List;
import java.util.Map;

/**
 * The planner's answer. When {@link #feasible()} is false, layers and shards are empty and
 * {@link #infeasibility()} says why.
 *
 * @param problemId the problem's id
 * @param layers node and bits per layer, in layer order
 * @param shards maximal contiguous runs of layers on one node, in chain order
 * @param embeddingRho ρ at the hop from the origin's embedding to layer 0; null when layer 0 runs
 *     on the origin (there is no such hop)
 * @param predicted predicted completion time and its parts
 * @param qualityUsed Σ layer quality + Σ cut quality of this plan
 * @param memoryByNode bytes this plan holds on each node it uses
 * @param quantizationRatio weight bits kept ÷ the 16-bit baseline
 * @param solver how the solve went
 * @param infeasibility why no plan exists, or null
 */
public record Plan(
    String problemId,
    List<LayerAssignment> layers,
    List<Shard> shards,
    Double embeddingRho,
    TimeBreakdown predicted,
    double qualityUsed,
    Map<String, Long> memoryByNode,
    double quantizationRatio,
    SolverReport solver,
    Infeasibility infeasibility) {

  public boolean feasible() {
    return infeasibility == null;
  }

  public record LayerAssignment(int layer, String node, int bits) {}

  /**
   * @param index position in the chain, from 0 (shard 0 is on the origin when tokens stay there)
   * @param node where it runs
   * @param firstLayer inclusive
   * @param lastLayer inclusive
   * @param bits per layer of the run
   * @param outgoingRho ρ at the cut after this shard; null for the last shard
   * @param memoryBytes weights + KV cache (+ embedding/head when held)
   * @param decodeSecondsPerToken this shard's compute per decode step
   */
  public record Shard(
      int index,
      String node,
      int firstLayer,
      int lastLayer,
      List<Integer> bits,
      Double outgoingRho,
      long memoryBytes,
      long kvCacheBytes,
      double decodeSecondsPerToken) {}

  /**
   * Predicted T_total = prefill + n × one decode step, split by cause.
   *
   * @param totalSeconds T_total
   * @param prefillComputeSeconds prefill compute, all layers
   * @param prefillTransferSeconds prefill bytes over cuts
   * @param prefillLatencySeconds prefill link latencies
   * @param decodeComputeSeconds n × compute per step
   * @param decodeTransferSeconds n × bytes over cuts per step
   * @param decodeLatencySeconds n × (cut latencies + return of the token to the origin)
   */
  public record TimeBreakdown(
      double totalSeconds,
      double prefillComputeSeconds,
      double prefillTransferSeconds,
      double prefillLatencySeconds,
      double decodeComputeSeconds,
      double decodeTransferSeconds,
      double decodeLatencySeconds) {}

  /**
   * @param solver e.g. CP-SAT, CBC, SCIP, HiGHS, brute-force, or a baseline's name
   * @param status how the solve ended
   * @param objectiveSeconds objective in seconds (rounded model)
   * @param boundSeconds best proven lower bound in seconds
   * @param gap (objective − bound) / objective
   * @param wallSeconds solve wall time
   * @param roundingBoundSeconds max difference between the integer-scaled objective and the true
   *     T_total, from scaling times to integers
   */
  public record SolverReport(
      String solver,
      SolverStatus status,
      double objectiveSeconds,
      double boundSeconds,
      double gap,
      double wallSeconds,
      double roundingBoundSeconds) {}

  /**
   * @param family which constraint family makes the problem infeasible
   * @param explanation one or two plain sentences for a human
   * @param minimalFeasibleBudget the smallest quality budget that would be feasible, or null when
   *     no budget would help (memory or privacy)
   */
  public record Infeasibility(Family family, String explanation, Double minimalFeasibleBudget) {
    public enum Family {
      MEMORY,
      QUALITY,
      PRIVACY,
      CONNECTIVITY,
      TIME_LIMIT
    }
  }
}
