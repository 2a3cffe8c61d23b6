package io.dilemma.operator;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.rollout.ShardNames;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes core/v1 Events about an LLMDeployment; a failed write is logged, never fatal. */
public final class EventRecorder {
  /**
   * The events the operator emits. A deployment that cannot be planned gets its Planned
   * condition's reason ({@code Infeasible}, {@code InvalidSpec}, ...) as the event's.
   */
  public enum Reason {
    PlanChanged,
    PlanKept,
    Infeasible,
    InvalidSpec,
    ProfileUnavailable,
    NoEligibleNodes,
    ImageNotAllowed,
    RolloutFailed,
    LinkDegraded,
    NodeLost
  }

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void emit(LLMDeployment about, Reason reason, boolean warning, String message) {
    String now = Instant.now().toString();
    var meta = about.getMetadata();
    var event =
        new EventBuilder()
            .withNewMetadata()
            .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(meta.getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion(about.getApiVersion())
                    .withKind(about.getKind())
                    .withName(meta.getName())
                    .withNamespace(meta.getNamespace())
                    .withUid(meta.getUid())
                    .build())
            .withReason(reason.name())
            .withMessage(message.length() > 1000 ? message.substring(0, 1000) : message)
            .withType(warning ? "Warning" : "Normal")
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(ShardNames.MANAGED_BY)
            .endSource()
            .build();
    try {
      client.v1().events().inNamespace(meta.getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.warn("could not record {} event on {}/{}: {}", reason, meta.getNamespace(), meta.getName(), e.getMessage());
    }
  }
}
