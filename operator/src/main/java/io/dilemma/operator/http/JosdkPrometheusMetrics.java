package io.dilemma.operator.http;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * JOSDK's reconcile metrics on Prometheus client_java (JOSDK ships only a Micrometer binding).
 * Names follow JOSDK's Micrometer ones with dots turned into underscores.
 */
public final class JosdkPrometheusMetrics implements Metrics {
  private final Counter events;
  private final Counter started;
  private final Counter succeeded;
  private final Counter failed;
  private final Counter cleanups;
  private final Histogram executionSeconds;

  public JosdkPrometheusMetrics(PrometheusRegistry registry) {
    events = counter(registry, "operator_sdk_events_received", "Events received", "kind");
    started = counter(registry, "operator_sdk_reconciliations_started", "Reconciles started", "kind");
    succeeded = counter(registry, "operator_sdk_reconciliations_success", "Reconciles that succeeded", "kind");
    failed = counter(registry, "operator_sdk_reconciliations_failed", "Reconciles that threw", "kind", "exception");
    cleanups = counter(registry, "operator_sdk_events_delete", "Cleanups done", "kind");
    executionSeconds =
        Histogram.builder()
            .name("operator_sdk_controllers_execution_seconds")
            .help("Reconcile and cleanup execution time")
            .labelNames("controller", "type")
            .register(registry);
  }

  private static Counter counter(PrometheusRegistry registry, String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    events.labelValues(kind(metadata)).inc();
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    started.labelValues(resource.getKind()).inc();
  }

  @Override
  public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
    succeeded.labelValues(resource.getKind()).inc();
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    failed.labelValues(resource.getKind(), exception.getClass().getSimpleName()).inc();
  }

  @Override
  public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
    cleanups.labelValues(kind(metadata)).inc();
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long start = System.nanoTime();
    try {
      return execution.execute();
    } finally {
      executionSeconds
          .labelValues(execution.controllerName(), execution.name())
          .observe((System.nanoTime() - start) / 1e9);
    }
  }

  private static String kind(Map<String, Object> metadata) {
    Object gvk = metadata == null ? null : metadata.get(Constants.RESOURCE_GVK_KEY);
    return gvk == null ? "unknown" : gvk.toString();
  }
}
