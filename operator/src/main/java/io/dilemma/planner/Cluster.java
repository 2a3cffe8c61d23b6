package io.dilemma.planner;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The machines and the links between them. A pair of nodes with no link in either direction cannot
 * exchange activations.
 *
 * @param nodes candidate nodes
 * @param links directed links; (a,b) and (b,a) may differ
 * @param origin node where requests arrive and answers are returned
 */
public record Cluster(List<ComputeNode> nodes, List<Link> links, String origin) {
  public Cluster {
    nodes = List.copyOf(nodes);
    links = List.copyOf(links);
    if (nodes.stream().noneMatch(n -> n.name().equals(origin))) {
      throw new IllegalArgumentException("origin node '" + origin + "' is not among the nodes");
    }
  }

  public Map<String, ComputeNode> nodesByName() {
    return nodes.stream().collect(Collectors.toMap(ComputeNode::name, Function.identity()));
  }

  public Optional<Link> link(String from, String to) {
    return links.stream().filter(l -> l.from().equals(from) && l.to().equals(to)).findFirst();
  }

  public int indexOf(String node) {
    for (int k = 0; k < nodes.size(); k++) {
      if (nodes.get(k).name().equals(node)) return k;
    }
    return -1;
  }
}
