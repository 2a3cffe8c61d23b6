package io.dilemma.operator.bench;

import io.dilemma.operator.observe.NodeReading;
import io.dilemma.planinput.ClusterFile;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Tier;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Registers the nodes of an example cluster file as Kubernetes Nodes, labelled the way the
 * example's instructions say, with allocatable memory = the file's free memory plus the operator's
 * per-shard overhead. Nothing runs on them: there is no kubelet.
 */
public final class ExampleNodes {
  public static final String POOL_LABEL = "dilemma.io/pool";
  public static final String POOL = "office";

  private ExampleNodes() {}

  public static List<ComputeNode> register(KubernetesClient client, Path clusterFile, long overheadBytes) {
    List<ComputeNode> nodes = ClusterFile.read(clusterFile).cluster().nodes();
    for (ComputeNode node : nodes) {
      Node created =
          client
              .nodes()
              .resource(
                  new NodeBuilder()
                      .withNewMetadata()
                      .withName(node.name())
                      .withLabels(
                          Map.of(
                              "kubernetes.io/hostname", node.name(),
                              POOL_LABEL, POOL,
                              NodeReading.TIER, node.tier() == Tier.CLOUD ? "cloud" : "edge",
                              NodeReading.GFLOPS, format(node.flopsPerSecond() / 1e9),
                              NodeReading.MEMORY_BANDWIDTH_GBPS, format(node.memoryBandwidth() / 1e9)))
                      .endMetadata()
                      .build())
              .create();
      created.setStatus(
          new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
              .withAllocatable(
                  Map.of(
                      "cpu", new Quantity("4"),
                      "memory", new Quantity(Long.toString(node.memoryBytes() + overheadBytes))))
              .withCapacity(
                  Map.of(
                      "cpu", new Quantity("4"),
                      "memory", new Quantity(Long.toString(node.memoryBytes() + overheadBytes))))
              .withConditions(ready(true))
              .build());
      client.nodes().resource(created).updateStatus();
    }
    return nodes;
  }

  /** One Ready node of a pool with the given figures and allocatable memory. */
  public static void registerNode(
      KubernetesClient client, String name, String pool, int gflops, int memoryGbps, long memoryBytes) {
    Node created = client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("kubernetes.io/hostname", name, POOL_LABEL, pool,
            NodeReading.GFLOPS, Integer.toString(gflops), NodeReading.MEMORY_BANDWIDTH_GBPS, Integer.toString(memoryGbps),
            NodeReading.TIER, "edge"))
        .endMetadata().build()).create();
    created.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
        .withAllocatable(Map.of("cpu", new Quantity("4"), "memory", new Quantity(Long.toString(memoryBytes))))
        .withConditions(ready(true))
        .build());
    client.nodes().resource(created).updateStatus();
  }

  /** An EdgeLink each way between every two of the nodes, all alike: one LAN. */
  public static void linkAll(KubernetesClient client, List<String> nodes, double mbps, double rttMillis) {
    for (String a : nodes) {
      for (String b : nodes) {
        if (a.equals(b)) continue;
        io.dilemma.api.EdgeLink link = new io.dilemma.api.EdgeLink();
        link.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(a + "--" + b).build());
        link.setSpec(new io.dilemma.api.EdgeLinkSpec(a, b, mbps, rttMillis));
        client.resource(link).create();
      }
    }
  }

  public static void setReady(KubernetesClient client, String name, boolean ready) {
    Node node = client.nodes().withName(name).get();
    node.getStatus().setConditions(List.of(ready(ready)));
    client.nodes().resource(node).updateStatus();
  }

  /**
   * What the node controller writes once a node's kubelet has not posted its status for the
   * grace period: Ready Unknown.
   */
  public static void setReadyUnknown(KubernetesClient client, String name) {
    Node node = client.nodes().withName(name).get();
    node.getStatus().setConditions(List.of(new NodeConditionBuilder()
        .withType("Ready")
        .withStatus("Unknown")
        .withReason("NodeStatusUnknown")
        .withMessage("Kubelet stopped posting node status.")
        .build()));
    client.nodes().resource(node).updateStatus();
  }

  private static NodeCondition ready(boolean ready) {
    return new NodeConditionBuilder()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .withReason(ready ? "KubeletReady" : "NodeStatusUnknown")
        .build();
  }

  private static String format(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
