package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan as the status shows it, complete enough to price it again and to hint the next solve.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"predictedSeconds"}, allowGetters = true)
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
    @JsonIgnore Map<String, Long> memoryByNode,
    @JsonPropertyDescription("How the solve went.") SolverStatus solver) {

  public PlanStatus {
    shards = shards == null ? List.of() : List.copyOf(shards);
    memoryByNode = memoryByNode == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(memoryByNode));
  }

  /**
   * The status as stored. Node names are values, not map keys: {@code kubectl describe} splits
   * map keys at capitals and dashes ({@code Jetson - Orin - Nano}).
   */
  @JsonCreator
  static PlanStatus fromJson(
      @JsonProperty("planId") String planId,
      @JsonProperty("plannedGeneration") Long plannedGeneration,
      @JsonProperty("shardCount") Integer shardCount,
      @JsonProperty("shards") List<ShardStatus> shards,
      @JsonProperty("embeddingCutRho") Double embeddingCutRho,
      @JsonProperty("predicted") PredictedTime predicted,
      @JsonProperty("qualityUsed") Double qualityUsed,
      @JsonProperty("quantizationRatio") Double quantizationRatio,
      @JsonProperty("quantizationPercent") Double quantizationPercent,
      @JsonProperty("memory") List<NodeMemory> memory,
      @JsonProperty("solver") SolverStatus solver) {
    Map<String, Long> byNode = new LinkedHashMap<>();
    if (memory != null) memory.forEach(m -> byNode.put(m.node(), m.bytes()));
    return new PlanStatus(
        planId, plannedGeneration, shardCount, shards, embeddingCutRho, predicted, qualityUsed, quantizationRatio, quantizationPercent, byNode, solver);
  }

  @JsonProperty("memory")
  @JsonPropertyDescription("Bytes this plan holds on each node (weights and KV cache).")
  public List<NodeMemory> memory() {
    return memoryByNode.entrySet().stream().map(e -> new NodeMemory(e.getKey(), e.getValue())).toList();
  }

  /**
   * The predicted T_total with 3 significant digits, for the Predicted column of {@code kubectl
   * get} (JSONPath cannot round). Derived; never read back.
   */
  @JsonProperty("predictedSeconds")
  @JsonPropertyDescription("predicted.totalSeconds with 3 significant digits, the Predicted column of kubectl get.")
  public String predictedSeconds() {
    return predicted == null ? null : threeDigits(predicted.totalSeconds());
  }

  static String threeDigits(double seconds) {
    if (!Double.isFinite(seconds)) return String.valueOf(seconds);
    BigDecimal rounded = new BigDecimal(seconds).round(new MathContext(3));
    // keep trailing zeros of the 3 digits (5.20, not 5.2) but never an exponent
    return rounded.scale() < 0 ? rounded.setScale(0).toPlainString() : rounded.toPlainString();
  }

  public record NodeMemory(
      @JsonPropertyDescription("Node name.") String node,
      @JsonPropertyDescription("Bytes held on it.") long bytes) {}

  /**
   * One shard. Stored as {@code layers: "0-3"} and {@code bits: "8×2,4×2"} (runs of equal widths,
   * in layer order), so that {@code kubectl describe} shows one line each, not one per layer.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"index", "node", "layers", "bits", "outgoingRho", "memoryBytes", "decodeSecondsPerToken"})
  public record ShardStatus(
      @JsonPropertyDescription("Position in the chain, head = 0.") int index,
      @JsonPropertyDescription("Node the shard is pinned to.") String node,
      @JsonIgnore int firstLayer,
      @JsonIgnore int lastLayer,
      @JsonIgnore List<Integer> bits,
      @JsonPropertyDescription("rho at the cut to the next shard; absent for the last shard.")
          Double outgoingRho,
      @JsonPropertyDescription("Bytes held: weights, KV cache, embedding or LM head.")
          long memoryBytes,
      @JsonPropertyDescription(
              "Bytes of the memory above that are the KV cache of one request of the workload;"
                  + " the shard-worker's KV cache is bounded by it. 0 in plans written before it"
                  + " was recorded.")
          long kvCacheBytes,
      @JsonPropertyDescription("Predicted compute seconds of this shard per decoded token.")
          double decodeSecondsPerToken) {
    public ShardStatus {
      bits = bits == null ? List.of() : List.copyOf(bits);
    }

    /**
     * Reads the JSON by hand: the ignored components share names with the stored summaries, and
     * Jackson would drop a creator property of an ignored name.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ShardStatus fromJson(JsonNode json) {
      // firstLayer, lastLayer and a bits array are how statuses before the summaries stored a shard
      JsonNode layers = json.path("layers");
      int[] range =
          layers.isTextual()
              ? parseRange(layers.asText())
              : new int[] {json.path("firstLayer").asInt(), json.path("lastLayer").asInt(json.path("firstLayer").asInt())};
      JsonNode bits = json.path("bits");
      List<Integer> widths = new ArrayList<>();
      if (bits.isArray()) bits.forEach(b -> widths.add(b.asInt()));
      else if (bits.isTextual()) widths.addAll(parseBits(bits.asText()));
      JsonNode rho = json.path("outgoingRho");
      return new ShardStatus(
          json.path("index").asInt(),
          json.path("node").isTextual() ? json.path("node").asText() : null,
          range[0],
          range[1],
          widths,
          rho.isNumber() ? rho.asDouble() : null,
          json.path("memoryBytes").asLong(),
          json.path("kvCacheBytes").asLong(),
          json.path("decodeSecondsPerToken").asDouble());
    }

    @JsonProperty("layers")
    @JsonPropertyDescription("Decoder layers this shard runs, first-last inclusive, e.g. 0-3 (one number for one layer).")
    public String layers() {
      return firstLayer == lastLayer ? Integer.toString(firstLayer) : firstLayer + "-" + lastLayer;
    }

    @JsonProperty("bits")
    @JsonPropertyDescription("Weight bits of the shard's layers in order, as runs: 8×4 is four layers at 8 bits, 8×2,4×3 two at 8 then three at 4.")
    public String bitRuns() {
      StringBuilder runs = new StringBuilder();
      for (int i = 0; i < bits.size(); ) {
        int j = i;
        while (j < bits.size() && bits.get(j).equals(bits.get(i))) j++;
        if (runs.length() > 0) runs.append(',');
        runs.append(bits.get(i));
        if (j - i > 1) runs.append('×').append(j - i);
        i = j;
      }
      return runs.toString();
    }

    private static int[] parseRange(String layers) {
      if (layers == null || layers.isBlank()) throw new IllegalArgumentException("shard status without layers");
      String[] ends = layers.trim().split("-", 2);
      int first = Integer.parseInt(ends[0].trim());
      return new int[] {first, ends.length == 1 ? first : Integer.parseInt(ends[1].trim())};
    }

    private static List<Integer> parseBits(String runs) {
      List<Integer> bits = new ArrayList<>();
      if (runs == null || runs.isBlank()) return bits;
      for (String run : runs.split(",")) {
        String[] parts = run.trim().split("[×x]", 2);
        int width = Integer.parseInt(parts[0].trim());
        int count = parts.length == 1 ? 1 : Integer.parseInt(parts[1].trim());
        bits.addAll(Collections.nCopies(count, width));
      }
      return bits;
    }
  }

  public record PredictedTime(
      @JsonPropertyDescription("T_total = prefill + n x one decode step, seconds.") double totalSeconds,
      @JsonPropertyDescription("Prefill: compute of every shard on the prompt, seconds.") double prefillComputeSeconds,
      @JsonPropertyDescription("Prefill: the prompt's activations crossing the cuts, seconds.") double prefillTransferSeconds,
      @JsonPropertyDescription("Prefill: one link latency per cut, seconds.") double prefillLatencySeconds,
      @JsonPropertyDescription("Decode: compute of all output tokens, seconds.") double decodeComputeSeconds,
      @JsonPropertyDescription("Decode: activations crossing the cuts for all output tokens, seconds.") double decodeTransferSeconds,
      @JsonPropertyDescription("Decode: link latencies of all output tokens, including the token's way back, seconds.") double decodeLatencySeconds) {}

  public record SolverStatus(
      @JsonPropertyDescription("Solver name, e.g. CP-SAT.") String name,
      @JsonPropertyDescription("OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID.")
          String status,
      @JsonPropertyDescription("Relative gap between objective and bound.") double gap,
      @JsonPropertyDescription("Solve wall time, seconds.") double wallSeconds) {}
}
