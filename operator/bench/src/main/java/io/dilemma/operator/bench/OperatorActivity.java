package io.dilemma.operator.bench;

import io.dilemma.operator.DilemmaOperator;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;

/** What the operator's LLMDeployment controller is doing, from JOSDK's reconcile counters. */
public final class OperatorActivity {
  private OperatorActivity() {}

  /** LLMDeployment reconciles started so far. */
  public static double reconcilesStarted(DilemmaOperator operator) {
    return counter(operator, "operator_sdk_reconciliations_started");
  }

  /**
   * Waits until every LLMDeployment reconcile that started has ended and none started for
   * {@code quiet}: the operator has nothing left to do about the last change.
   */
  public static void awaitSettled(DilemmaOperator operator, Duration quiet, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    double lastStarted = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      double started = reconcilesStarted(operator);
      double ended = counter(operator, "operator_sdk_reconciliations_success")
          + counter(operator, "operator_sdk_reconciliations_failed");
      if (started != lastStarted || ended < started) {
        lastStarted = started;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > quiet.toNanos()) {
        return;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("the operator kept reconciling for " + timeout);
  }

  private static double counter(DilemmaOperator operator, String name) {
    return operator.registry().scrape().stream()
        .filter(m -> m.getMetadata().getName().equals(name))
        .flatMap(m -> ((CounterSnapshot) m).getDataPoints().stream())
        .filter(p -> "LLMDeployment".equals(p.getLabels().get("kind")))
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue)
        .sum();
  }
}
