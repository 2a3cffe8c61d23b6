package io.dilemma.operator.observe;

import java.util.List;
import java.util.Map;

/**
 * Everything observed outside the LLMDeployment itself, at one moment.
 *
 * @param nodes every node matching the deployment's selector, ready or not
 * @param links every EdgeLink, already judged fresh or stale
 * @param heldByOthers bytes other LLMDeployments' plans hold on each node
 */
public record ClusterObservation(
    List<NodeReading> nodes, List<LinkReading> links, Map<String, Long> heldByOthers) {
  public ClusterObservation {
    nodes = List.copyOf(nodes);
    links = List.copyOf(links);
    heldByOthers = Map.copyOf(heldByOthers);
  }

  /**
   * Bytes a node can still give this deployment: its allocatable memory minus what the other
   * deployments' plans hold there. The one place free memory is worked out; the problem, the
   * overcommit check and the rollout's room all read it here.
   */
  public long freeBytes(String node) {
    for (NodeReading n : nodes) {
      if (n.node().name().equals(node)) {
        return Math.max(0, n.node().memoryBytes() - heldByOthers.getOrDefault(node, 0L));
      }
    }
    return 0;
  }

  /** {@link #freeBytes} of every observed node. */
  public Map<String, Long> freeBytesByNode() {
    Map<String, Long> free = new java.util.HashMap<>();
    for (NodeReading n : nodes) free.put(n.node().name(), freeBytes(n.node().name()));
    return free;
  }

  /** Each observed node's allocatable memory, which all deployments share. */
  public Map<String, Long> allocatableBytesByNode() {
    Map<String, Long> allocatable = new java.util.HashMap<>();
    for (NodeReading n : nodes) allocatable.put(n.node().name(), n.node().memoryBytes());
    return allocatable;
  }

  public List<String> defaultedNodes() {
    return nodes.stream().filter(NodeReading::defaulted).map(n -> n.node().name()).toList();
  }

  public List<String> staleLinks() {
    return links.stream().filter(LinkReading::stale).map(LinkReading::name).toList();
  }

  public List<String> notReadyNodes() {
    return nodes.stream().filter(n -> !n.ready()).map(n -> n.node().name()).toList();
  }
}
