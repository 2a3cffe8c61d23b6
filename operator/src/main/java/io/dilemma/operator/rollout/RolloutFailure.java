package io.dilemma.operator.rollout;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** Turns the API server's refusal of a write into the one line the status shows. */
public final class RolloutFailure {
  private RolloutFailure() {}

  /** The API server's own message when it sent one (it names the object and field), else the client's. */
  public static String describe(KubernetesClientException e) {
    var status = e.getStatus();
    String message =
        status != null && status.getMessage() != null && !status.getMessage().isBlank()
            ? status.getMessage()
            : String.valueOf(e.getMessage());
    return message.lines().findFirst().orElse(message);
  }
}
