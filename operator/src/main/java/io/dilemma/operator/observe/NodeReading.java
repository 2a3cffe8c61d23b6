package io.dilemma.operator.observe;

import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Tier;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator learns about one Kubernetes node: its compute as the planner sees it, whether
 * it can take pods, and which figures were guessed from capacity because nobody measured them.
 *
 * @param node compute throughput, memory bandwidth, allocatable memory less what pods other than
 *     Dilemma's shards request there, tier
 * @param ready the node's Ready condition is True and it is schedulable
 * @param defaultedFields labels that were missing, e.g. {@code dilemma.io/gflops}
 */
public record NodeReading(ComputeNode node, boolean ready, List<String> defaultedFields) {
  public static final String GFLOPS = "dilemma.io/gflops";
  public static final String MEMORY_BANDWIDTH_GBPS = "dilemma.io/memory-bandwidth-gbps";
  public static final String TIER = "dilemma.io/tier";
  /** Share of the node's CPU not busy with foreign work, published by the prober; 1 when absent. */
  public static final String AVAILABLE_COMPUTE_RATIO = "dilemma.io/available-compute-ratio";

  /**
   * A node the prober reports as fully busy still gets a sliver of compute: a zero would make the
   * planner's cost of a layer there infinite, and the share is a smoothed guess, not a proof.
   */
  static final double MIN_AVAILABLE_SHARE = 0.05;

  /**
   * Deliberately low guesses per allocatable core: an unmeasured node should not attract layers
   * it may be too slow for. Roughly one in-order ARM core of a small board.
   */
  static final double DEFAULT_GFLOPS_PER_CORE = 4;

  static final double DEFAULT_MEMORY_GBPS_PER_CORE = 1.5;

  public NodeReading {
    defaultedFields = List.copyOf(defaultedFields);
  }

  public boolean defaulted() {
    return !defaultedFields.isEmpty();
  }

  /** Reads a node that only Dilemma's shards ask memory of. */
  public static NodeReading of(Node node) {
    return of(node, 0);
  }

  /**
   * Reads a node; malformed labels count as missing so one bad label cannot stop planning.
   *
   * @param requestedByOtherPods memory that pods other than Dilemma's shards request on the node
   */
  public static NodeReading of(Node node, long requestedByOtherPods) {
    Map<String, String> labels = merged(node);
    List<String> defaulted = new ArrayList<>();
    double cores = quantity(node, "cpu").orElse(1.0);
    double gflops =
        positive(labels.get(GFLOPS))
            .orElseGet(
                () -> {
                  defaulted.add(GFLOPS);
                  return cores * DEFAULT_GFLOPS_PER_CORE;
                });
    double memoryGbps =
        positive(labels.get(MEMORY_BANDWIDTH_GBPS))
            .orElseGet(
                () -> {
                  defaulted.add(MEMORY_BANDWIDTH_GBPS);
                  return cores * DEFAULT_MEMORY_GBPS_PER_CORE;
                });
    // the planner gets G × available share: foreign load takes compute away from our layers
    gflops *= availableShare(labels.get(AVAILABLE_COMPUTE_RATIO));
    Tier tier = "cloud".equalsIgnoreCase(labels.get(TIER)) ? Tier.CLOUD : Tier.EDGE;
    long memory = Math.max(0, quantity(node, "memory").map(Math::round).orElse(0L) - requestedByOtherPods);
    ComputeNode compute =
        new ComputeNode(node.getMetadata().getName(), gflops * 1e9, memoryGbps * 1e9, memory, tier);
    return new NodeReading(compute, isReady(node), defaulted);
  }

  /** Annotations first, labels override: labels are what selectors and kubectl users see. */
  private static Map<String, String> merged(Node node) {
    var all = new java.util.HashMap<String, String>();
    if (node.getMetadata().getAnnotations() != null) all.putAll(node.getMetadata().getAnnotations());
    if (node.getMetadata().getLabels() != null) all.putAll(node.getMetadata().getLabels());
    return all;
  }

  private static boolean isReady(Node node) {
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return false;
    }
    if (node.getStatus() == null || node.getStatus().getConditions() == null) return false;
    return node.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Optional<Double> quantity(Node node, String resource) {
    if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
      return Optional.empty();
    }
    Quantity q = node.getStatus().getAllocatable().get(resource);
    return q == null ? Optional.empty() : Optional.of(q.getNumericalAmount().doubleValue());
  }

  /** A missing or malformed share means nobody measured the load: plan with all of the node. */
  static double availableShare(String text) {
    if (text == null) return 1;
    try {
      double v = Double.parseDouble(text.trim());
      return Double.isFinite(v) ? Math.max(MIN_AVAILABLE_SHARE, Math.min(1, v)) : 1;
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static Optional<Double> positive(String text) {
    if (text == null) return Optional.empty();
    try {
      double v = Double.parseDouble(text.trim());
      return v > 0 && Double.isFinite(v) ? Optional.of(v) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
