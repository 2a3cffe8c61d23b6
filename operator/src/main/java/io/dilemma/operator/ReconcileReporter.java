package io.dilemma.operator;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.operator.http.OperatorMetrics;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.plan.EvaluationDecision;
import io.dilemma.operator.plan.PlanningOutcome;
import io.dilemma.operator.plan.PlanningStep;
import io.dilemma.operator.status.LinkWatch;
import io.dilemma.operator.status.ConditionReason;
import io.dilemma.operator.status.StatusAggregator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns what one reconcile changed into Events and metrics, each said once, not every reconcile. */
final class ReconcileReporter {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcileReporter.class);

  private final EventRecorder events;
  private final OperatorMetrics metrics;
  private final LinkWatch linkWatch = new LinkWatch();

  ReconcileReporter(EventRecorder events, OperatorMetrics metrics) {
    this.events = events;
    this.metrics = metrics;
  }

  /** Solve times, recorded as soon as planning returns, whatever the rollout does next. */
  void solved(PlanningStep.Result result) {
    result.solveSeconds().forEach(metrics::solved);
  }

  /** Events and metrics for what changed in this reconcile, compared with the previous status. */
  void report(
      LLMDeployment resource,
      String key,
      LLMDeploymentStatus previous,
      LLMDeploymentStatus status,
      PlanningStep.Result result,
      ClusterObservation observation) {
    var outcome = result.outcome();
    if (outcome instanceof PlanningOutcome.Planned p && p.replanned()) {
      metrics.replanned(resource.getMetadata().getNamespace(), resource.getMetadata().getName(), p.reason());
      String from = previous.plan() == null ? "none" : previous.plan().planId();
      LOG.info("{}: {} plan {} -> {}", key, p.reason(), from, p.plan().planId());
      events.emit(
          resource,
          EventRecorder.Reason.PlanChanged,
          false,
          p.reason() + ": plan " + from + " -> " + p.plan().planId() + ". " + StatusAggregator.describe(p.plan()));
    }
    if (outcome instanceof PlanningOutcome.Planned p && p.evaluation() != null && p.evaluation().decision() == EvaluationDecision.Kept) {
      // Said when the verdict turns to Kept, not at every search that keeps: the status holds the latest.
      boolean newlyKept =
          previous.lastEvaluation() == null || !EvaluationDecision.Kept.name().equals(previous.lastEvaluation().decision());
      if (newlyKept) events.emit(resource, EventRecorder.Reason.PlanKept, false, p.evaluation().describe());
    }
    if (status.plan() != null) {
      metrics.planned(resource.getMetadata().getNamespace(), resource.getMetadata().getName(), status.plan());
    }
    var planned = status.condition(StatusAggregator.PLANNED).orElseThrow();
    // One Warning per new verdict (Infeasible, InvalidSpec, ...), not one per reconcile.
    boolean newlyNotPlanned =
        !(outcome instanceof PlanningOutcome.Planned)
            && previous
                .condition(StatusAggregator.PLANNED)
                .map(c -> !c.getMessage().equals(planned.getMessage()))
                .orElse(true);
    if (newlyNotPlanned) {
      events.emit(resource, EventRecorder.Reason.valueOf(planned.getReason()), true, planned.getMessage());
    }
    var ready = status.condition(StatusAggregator.READY).orElseThrow();
    boolean newlyRefused =
        ready.getReason().equals(ConditionReason.RolloutFailed.name())
            && previous.condition(StatusAggregator.READY).map(c -> !c.getMessage().equals(ready.getMessage())).orElse(true);
    if (newlyRefused) events.emit(resource, EventRecorder.Reason.RolloutFailed, true, ready.getMessage());
    if (!result.lostNodes().isEmpty()) {
      var degraded = status.condition(StatusAggregator.DEGRADED).orElseThrow();
      boolean news =
          previous
              .condition(StatusAggregator.DEGRADED)
              .map(c -> !c.getMessage().equals(degraded.getMessage()))
              .orElse(true);
      if (news) events.emit(resource, EventRecorder.Reason.NodeLost, true, degraded.getMessage());
    }
    if (observation != null && status.plan() != null) {
      for (String message : linkWatch.degraded(key, previous.plan(), status.plan(), observation)) {
        events.emit(resource, EventRecorder.Reason.LinkDegraded, true, message);
      }
    }
  }

  /** Drops what is kept per deployment once it is deleted. */
  void forget(LLMDeployment resource, String key) {
    metrics.forget(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    linkWatch.forget(key);
  }
}
