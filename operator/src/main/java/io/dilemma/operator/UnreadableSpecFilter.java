package io.dilemma.operator;

import io.dilemma.api.LLMDeployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.GenericFilter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Keeps deployments whose stored spec cannot be read away from the reconciler, and says why in a
 * Warning event. Nothing can be written to such an object (the API server validates every write
 * against today's schema, finalizers and status included), so reconciling it would only retry
 * forever; the event is the one place the user learns which field to fix.
 */
final class UnreadableSpecFilter implements GenericFilter<LLMDeployment> {
  private final BiConsumer<LLMDeployment, String> warn;
  /** The resourceVersion already reported, per object uid: one event per version, not per resync. */
  private final Map<String, String> reported = new ConcurrentHashMap<>();

  /** @param warn writes the InvalidSpec Warning event with the one-line problem */
  UnreadableSpecFilter(BiConsumer<LLMDeployment, String> warn) {
    this.warn = warn;
  }

  @Override
  public boolean accept(LLMDeployment deployment) {
    var spec = deployment.getSpec();
    if (spec == null || spec.unreadable() == null || deployment.isMarkedForDeletion()) {
      if (deployment.getMetadata().getUid() != null) reported.remove(deployment.getMetadata().getUid());
      return true;
    }
    String version = deployment.getMetadata().getResourceVersion();
    if (!version.equals(reported.put(deployment.getMetadata().getUid(), version))) {
      warn.accept(deployment, spec.unreadable());
    }
    return false;
  }
}
