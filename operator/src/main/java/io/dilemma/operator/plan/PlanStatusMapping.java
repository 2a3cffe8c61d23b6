package io.dilemma.operator.plan;

import io.dilemma.api.PlanStatus;
import io.dilemma.planner.Plan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Converts between the planner's {@link Plan} and the plan kept in the LLMDeployment status. The
 * status is the operator's only memory of the running plan, so it carries every layer's node and
 * bits and every cut's ρ: enough to price the plan again and to hint the next solve.
 */
public final class PlanStatusMapping {
  private PlanStatusMapping() {}

  public static PlanStatus toStatus(Plan plan, long generation) {
    List<PlanStatus.ShardStatus> shards =
        plan.shards().stream().map(s -> MirroredRecords.copy(s, PlanStatus.ShardStatus.class)).toList();
    var solver = plan.solver();
    return new PlanStatus(
        planId(plan),
        generation,
        shards.size(),
        shards,
        plan.embeddingRho(),
        MirroredRecords.copy(plan.predicted(), PlanStatus.PredictedTime.class),
        plan.qualityUsed(),
        plan.quantizationRatio(),
        Math.round(plan.quantizationRatio() * 1000) / 10.0,
        plan.memoryByNode(),
        solver == null
            ? null
            : new PlanStatus.SolverStatus(
                solver.solver(), solver.status().name(), solver.gap(), solver.wallSeconds()));
  }

  /** The plan as the planner can take it back, as a hint or for pricing. */
  public static Plan toPlan(String problemId, PlanStatus status) {
    List<Plan.LayerAssignment> layers = new ArrayList<>();
    List<Plan.Shard> shards = new ArrayList<>();
    for (PlanStatus.ShardStatus s : status.shards()) {
      for (int layer = s.firstLayer(); layer <= s.lastLayer(); layer++) {
        layers.add(new Plan.LayerAssignment(layer, s.node(), s.bits().get(layer - s.firstLayer())));
      }
      shards.add(MirroredRecords.copy(s, Plan.Shard.class));
    }
    return new Plan(
        problemId,
        layers,
        shards,
        status.embeddingCutRho(),
        MirroredRecords.copy(status.predicted(), Plan.TimeBreakdown.class),
        status.qualityUsed(),
        status.memoryByNode(),
        status.quantizationRatio(),
        null,
        null);
  }

  /**
   * A short stable id of what the shards do: nodes, layer ranges, bits and ρ. Two solves that
   * agree on these produce the same id, so an unchanged answer never rolls pods.
   */
  public static String planId(Plan plan) {
    StringBuilder key = new StringBuilder();
    for (Plan.Shard s : plan.shards()) {
      key.append(s.node()).append(':').append(s.firstLayer()).append('-').append(s.lastLayer());
      key.append(s.bits()).append('/').append(s.outgoingRho()).append(';');
    }
    return sha256(key.toString()).substring(0, 10);
  }

  public static String sha256(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
