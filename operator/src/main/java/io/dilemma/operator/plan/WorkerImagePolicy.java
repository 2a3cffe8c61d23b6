package io.dilemma.operator.plan;

import java.util.List;
import java.util.Optional;

/**
 * Which shard-worker images a deployment may run. Whoever may create an LLMDeployment would
 * otherwise run any image on any node the plan picks; the operator's configuration decides instead.
 *
 * @param allowed image references; an entry ending in {@code *} allows every image it prefixes.
 *     Empty allows every image.
 */
public record WorkerImagePolicy(List<String> allowed) {
  public WorkerImagePolicy {
    allowed = List.copyOf(allowed);
  }

  public static WorkerImagePolicy any() {
    return new WorkerImagePolicy(List.of());
  }

  public boolean allows(String image) {
    if (allowed.isEmpty()) return true;
    for (String entry : allowed) {
      if (entry.endsWith("*") ? image.startsWith(entry.substring(0, entry.length() - 1)) : image.equals(entry)) {
        return true;
      }
    }
    return false;
  }

  /** One line naming the field, or empty when the image may run. */
  public Optional<String> problem(String image) {
    if (allows(image)) return Optional.empty();
    return Optional.of(
        "spec.worker.image: '" + image + "' is not in the operator's allowed worker images "
            + allowed + " (chart value operator.allowedWorkerImages, flag --allowed-worker-images)");
  }
}
