package io.dilemma.operator.observe;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeploymentSpec;
import io.fabric8.kubernetes.api.model.Node;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** Reads the nodes a deployment may use and every link, from cached objects. Pure. */
public final class ClusterObserver {
  private ClusterObserver() {}

  /** A cluster where nothing but Dilemma's shards asks for memory. */
  public static ClusterObservation observe(
      LLMDeploymentSpec.PlacementSpec placement,
      Collection<Node> nodes,
      Collection<EdgeLink> links,
      Map<String, Long> heldByOthers,
      LinkReading.Freshness freshness,
      Instant now) {
    return observe(placement, nodes, links, heldByOthers, Map.of(), freshness, now);
  }

  /**
   * @param requestedByOtherPods memory requested on each node by pods that are not Dilemma's
   *     shards ({@link OtherPodRequests}): the scheduler will not give it to a shard either
   */
  public static ClusterObservation observe(
      LLMDeploymentSpec.PlacementSpec placement,
      Collection<Node> nodes,
      Collection<EdgeLink> links,
      Map<String, Long> heldByOthers,
      Map<String, Long> requestedByOtherPods,
      LinkReading.Freshness freshness,
      Instant now) {
    return new ClusterObservation(
        nodes.stream().filter(n -> selects(placement, n))
            .map(n -> NodeReading.of(n, requestedByOtherPods.getOrDefault(n.getMetadata().getName(), 0L)))
            .toList(),
        links.stream().filter(l -> l.getSpec() != null).map(l -> LinkReading.of(l, freshness, now)).toList(),
        heldByOthers);
  }

  /** The earliest moment a fresh link goes stale, when the plan should be looked at again. */
  public static Optional<Instant> nextStaleness(
      Collection<EdgeLink> links, LinkReading.Freshness freshness, Instant now) {
    return links.stream()
        .map(l -> LinkReading.expiresAt(l, freshness))
        .filter(t -> t.isAfter(now))
        .min(Instant::compareTo);
  }

  public static boolean selects(LLMDeploymentSpec.PlacementSpec placement, Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return placement.nodeSelector().entrySet().stream()
        .allMatch(e -> labels != null && e.getValue().equals(labels.get(e.getKey())));
  }
}
