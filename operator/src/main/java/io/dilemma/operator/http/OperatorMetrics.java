package io.dilemma.operator.http;

import io.dilemma.operator.plan.ReplanReason;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The operator's own metrics: what the plans predict, how long solving takes, why it replans. */
public final class OperatorMetrics {
  private final Gauge predictedCompletion;
  private final Histogram solveSeconds;
  private final Counter replans;
  private final Counter ledgerConflicts;

  public OperatorMetrics(PrometheusRegistry registry) {
    predictedCompletion =
        Gauge.builder()
            .name("dilemma_plan_predicted_completion_seconds")
            .help("Predicted completion time of the workload under the current plan")
            .labelNames("deployment")
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
            .labelNames("reason")
            .register(registry);
    ledgerConflicts =
        Counter.builder()
            .name("dilemma_plan_memory_conflicts_total")
            .help("Plans made again because other deployments took the memory they counted on while they solved")
            .register(registry);
  }

  public void predicted(String deployment, double seconds) {
    predictedCompletion.labelValues(deployment).set(seconds);
  }

  public void forget(String deployment) {
    predictedCompletion.remove(deployment);
  }

  public void solved(double seconds) {
    solveSeconds.observe(seconds);
  }

  public void ledgerConflict() {
    ledgerConflicts.inc();
  }

  public void replanned(ReplanReason reason) {
    replans.labelValues(reason.name()).inc();
  }
}
