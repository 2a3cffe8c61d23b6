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
