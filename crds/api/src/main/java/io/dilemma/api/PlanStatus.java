package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/**
 * The plan as the status shows it, complete enough to price it again and to hint the next solve.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanStatus(
    @JsonPropertyDescription("Identifies this plan; the names of its shard objects carry it.")
        String planId,
    @JsonPropertyDescription("The metadata.generation of the spec this plan was solved for.")
        Long plannedGeneration,
    @JsonPropertyDescription("Number of shards in the chain.") Integer shardCount,
    @JsonPropertyDescription("The chain of shards, head first.") List<ShardStatus> shards,
    @JsonPropertyDescription(
            "rho at the hop from the origin's embedding to the first shard; absent when the first"
                + " shard runs on the origin.")
        Double embeddingCutRho,
    @JsonPropertyDescription("Predicted completion time of the workload and its parts.")
        PredictedTime predicted,
    @JsonPropertyDescription("Quality used: sum of layer and cut losses in the budget's metric.")
        Double qualityUsed,
    @JsonPropertyDescription("Weight bits kept divided by the 16-bit model's (0..1).")
        Double quantizationRatio,
    @JsonPropertyDescription("quantizationRatio times 100, the Bits column of kubectl get.")
        Double quantizationPercent,
    @JsonPropertyDescription("Bytes this plan holds on each node (weights and KV cache).")
        Map<String, Long> memoryByNode,
    @JsonPropertyDescription("How the solve went.") SolverStatus solver) {

  public PlanStatus {
    shards = shards == null ? List.of() : List.copyOf(shards);
    memoryByNode = memoryByNode == null ? Map.of() : Map.copyOf(memoryByNode);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShardStatus(
      @JsonPropertyDescription("Position in the chain, head = 0.") int index,
      @JsonPropertyDescription("Node the shard is pinned to.") String node,
      @JsonPropertyDescription("First decoder layer, inclusive.") int firstLayer,
      @JsonPropertyDescription("Last decoder layer, inclusive.") int lastLayer,
      @JsonPropertyDescription("Weight bits of each layer from firstLayer to lastLayer.")
          List<Integer> bits,
      @JsonPropertyDescription("rho at the cut to the next shard; absent for the last shard.")
          Double outgoingRho,
      @JsonPropertyDescription("Bytes held: weights, KV cache, embedding or LM head.")
          long memoryBytes,
      @JsonPropertyDescription("Predicted compute seconds of this shard per decoded token.")
          double decodeSecondsPerToken) {}

  public record PredictedTime(
      @JsonPropertyDescription("T_total = prefill + n x one decode step, seconds.") double totalSeconds,
      double prefillComputeSeconds,
      double prefillTransferSeconds,
      double prefillLatencySeconds,
      double decodeComputeSeconds,
      double decodeTransferSeconds,
      double decodeLatencySeconds) {}

  public record SolverStatus(
      @JsonPropertyDescription("Solver name, e.g. CP-SAT.") String name,
      @JsonPropertyDescription("OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID.")
          String status,
      @JsonPropertyDescription("Relative gap between objective and bound.") double gap,
      @JsonPropertyDescription("Solve wall time, seconds.") double wallSeconds) {}
}
