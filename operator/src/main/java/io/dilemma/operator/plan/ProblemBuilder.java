package io.dilemma.operator.plan;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.NodeReading;
import io.dilemma.planner.Cluster;
import io.dilemma.planner.CutPrecision;
import io.dilemma.planner.PlanStrategy;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Link;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds the planning problem of one LLMDeployment from what was observed. Pure.
 *
 * <p>Each node offers its allocatable memory minus what other deployments' plans hold there,
 * minus the fixed runtime overhead one shard-worker needs beyond its weights and KV cache.
 */
public final class ProblemBuilder {
  private final long shardOverheadBytes;

  public ProblemBuilder(long shardOverheadBytes) {
    this.shardOverheadBytes = shardOverheadBytes;
  }

  /** Thrown when the observation cannot make a problem at all; the message is for the user. */
  public static final class UnplannableException extends Exception {
    public UnplannableException(String message) {
      super(message);
    }
  }

  public PlanningProblem build(
      String id,
      LLMDeploymentSpec spec,
      ModelCosts costs,
      ClusterObservation observed,
      Map<String, Long> extraReservedBytes,
      Plan previous)
      throws UnplannableException {
    return build(id, spec, costs, observed, extraReservedBytes, previous, null);
  }

  /**
   * @param goodEnoughSeconds the planner may stop at the first plan predicted at or below this;
   *     null to search to the limit
   */
  public PlanningProblem build(
      String id,
      LLMDeploymentSpec spec,
      ModelCosts costs,
      ClusterObservation observed,
      Map<String, Long> extraReservedBytes,
      Plan previous,
      Double goodEnoughSeconds)
      throws UnplannableException {
    // In name order: informers list in no fixed order, and the same cluster listed in another
    // order must be the same problem, or an unchanged deployment would be solved again.
    List<ComputeNode> nodes =
        observed.nodes().stream()
            .filter(NodeReading::ready)
            .map(NodeReading::node)
            .map(n -> n.withMemoryBytes(freeBytes(n, observed, extraReservedBytes)))
            .sorted(java.util.Comparator.comparing(ComputeNode::name))
            .toList();
    String origin = spec.placement().originNode();
    if (nodes.stream().noneMatch(n -> n.name().equals(origin))) {
      throw new UnplannableException(
          "spec.placement.originNode: node '"
              + origin
              + "' is not a Ready node matching spec.placement.nodeSelector");
    }
    Set<String> names = nodes.stream().map(ComputeNode::name).collect(Collectors.toSet());
    List<Link> links =
        observed.links().stream()
            .map(LinkReading::link)
            .filter(l -> names.contains(l.from()) && names.contains(l.to()))
            .sorted(java.util.Comparator.comparing(Link::from).thenComparing(Link::to))
            .toList();
    PlanningOptions options =
        new PlanningOptions(
            spec.allowedBits(),
            spec.allowedRho(),
            cutPrecision(spec.cutPrecision()),
            spec.placement().keepTokensOnOrigin(),
            Duration.ofMillis(Math.round(spec.solver().timeLimitSeconds() * 1000)),
            previous,
            goodEnoughSeconds);
    return new PlanningProblem(
        id,
        costs,
        new Cluster(nodes, links, origin),
        new Workload(spec.workload().promptTokens(), spec.workload().outputTokens(), spec.workload().concurrency()),
        spec.quality().budget(),
        options);
  }

  private long freeBytes(
      ComputeNode node, ClusterObservation observed, Map<String, Long> extraReservedBytes) {
    long free =
        observed.freeBytes(node.name())
            - extraReservedBytes.getOrDefault(node.name(), 0L)
            - shardOverheadBytes;
    return Math.max(0, free);
  }

  /** The spec's cut precision in the planner's terms; the one place the two enums meet. */
  public static CutPrecision cutPrecision(LLMDeploymentSpec.CutPrecision spec) {
    return switch (spec) {
      case TOKEN_ADAPTIVE -> CutPrecision.TOKEN_ADAPTIVE;
      case FULL -> CutPrecision.FULL;
    };
  }

  /** The spec's strategy in the planner's terms; the one place the two enums meet. */
  public static PlanStrategy strategy(LLMDeploymentSpec.Strategy spec) {
    return switch (spec) {
      case JOINT_ILP -> PlanStrategy.JOINT_ILP;
      case ALL_ON_ORIGIN_16_BITS -> PlanStrategy.ALL_ON_ORIGIN_16_BITS;
      case UNIFORM_8_BITS -> PlanStrategy.UNIFORM_8_BITS;
      case MEMORY_PROPORTIONAL -> PlanStrategy.MEMORY_PROPORTIONAL;
      case BEST_SINGLE_NODE -> PlanStrategy.BEST_SINGLE_NODE;
    };
  }
}
