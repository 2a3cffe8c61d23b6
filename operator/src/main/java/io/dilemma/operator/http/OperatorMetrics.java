package io.dilemma.operator.http;

import io.dilemma.api.PlanStatus;
import io.dilemma.operator.plan.ReplanReason;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The operator's own metrics: what the plans predict, which bits each layer keeps, how long solving
 * takes, why it replans. A deployment's series carry {@code namespace} and {@code deployment} (the
 * LLMDeployment's name), the same two labels as the shard-workers' series, so a dashboard can set
 * a plan's prediction beside its measured completion times.
 */
public final class OperatorMetrics {
  private final Gauge predictedCompletion;
  private final Gauge layerBits;
  private final Histogram solveSeconds;
  private final Counter replans;
  private final Counter ledgerConflicts;

  public OperatorMetrics(PrometheusRegistry registry) {
    predictedCompletion =
        Gauge.builder()
            .name("dilemma_plan_predicted_completion_seconds")
            .help("Predicted completion time (T_total) of the workload under the current plan")
            .labelNames("namespace", "deployment")
            .register(registry);
    layerBits =
        Gauge.builder()
            .name("dilemma_plan_layer_bits")
            .help("Weight bits the current plan gives each decoder layer")
            .labelNames("namespace", "deployment", "layer")
            .register(registry);
    solveSeconds =
        Histogram.builder()
            .name("dilemma_plan_solve_seconds")
            .help("Wall time of one planner solve")
            .classicUpperBounds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
            .register(registry);
    replans =
        Counter.builder()
            .name("dilemma_replans_total")
            .help("Plans adopted, by reason")
            .labelNames("namespace", "deployment", "reason")
            .register(registry);
    ledgerConflicts =
        Counter.builder()
            .name("dilemma_plan_memory_conflicts_total")
            .help("Plans made again because other deployments took the memory they counted on while they solved")
            .register(registry);
  }

  /** The plan a deployment now has: its predicted T_total and the bits of every layer. */
  public void planned(String namespace, String deployment, PlanStatus plan) {
    predictedCompletion.labelValues(namespace, deployment).set(plan.predicted().totalSeconds());
    Set<String> layers = new HashSet<>();
    for (PlanStatus.ShardStatus shard : plan.shards()) {
      for (int i = 0; i < shard.bits().size(); i++) {
        String layer = Integer.toString(shard.firstLayer() + i);
        layers.add(layer);
        layerBits.labelValues(namespace, deployment, layer).set(shard.bits().get(i));
      }
    }
    // A plan for another model may have fewer layers; set first, then drop, so no scrape misses one.
    layerBits.removeIf(labels -> of(labels, namespace, deployment) && !layers.contains(labels.get(2)));
  }

  private static boolean of(List<String> labels, String namespace, String deployment) {
    return labels.get(0).equals(namespace) && labels.get(1).equals(deployment);
  }

  /** Drops every series of a deleted deployment, so they do not outlive it. */
  public void forget(String namespace, String deployment) {
    predictedCompletion.remove(namespace, deployment);
    layerBits.removeIf(labels -> of(labels, namespace, deployment));
    replans.removeIf(labels -> of(labels, namespace, deployment));
  }

  public void solved(double seconds) {
    solveSeconds.observe(seconds);
  }

  public void ledgerConflict() {
    ledgerConflicts.inc();
  }

  /**
   * Counts one adopted plan. Every reason's series starts at 0, so that {@code increase()} sees
   * the first replan of a reason rather than a series that appears already at 1.
   */
  public void replanned(String namespace, String deployment, ReplanReason reason) {
    for (ReplanReason r : ReplanReason.values()) replans.initLabelValues(namespace, deployment, r.name());
    replans.labelValues(namespace, deployment, reason.name()).inc();
  }
}
