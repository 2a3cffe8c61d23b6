package io.dilemma.prober.kube;

import io.dilemma.prober.core.Peer;
import io.dilemma.prober.core.PeerDirectory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The other pods of this prober's DaemonSet: same namespace, same labels, running, with an IP and
 * a node. Pod IPs, not Services: a probe must cross exactly the path between the two nodes.
 */
public final class DaemonSetPeers implements PeerDirectory {
  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> selector;
  private final String selfNode;
  private final int port;

  public DaemonSetPeers(KubernetesClient client, String namespace, Map<String, String> selector, String selfNode, int port) {
    this.client = client;
    this.namespace = namespace;
    this.selector = Map.copyOf(selector);
    this.selfNode = selfNode;
    this.port = port;
  }

  @Override
  public List<Peer> peers() throws IOException {
    try {
      return client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
          .filter(DaemonSetPeers::running)
          .filter(p -> !selfNode.equals(p.getSpec().getNodeName()))
          .map(p -> new Peer(p.getSpec().getNodeName(), new InetSocketAddress(p.getStatus().getPodIP(), port)))
          .distinct()
          .toList();
    } catch (KubernetesClientException e) {
      throw new IOException("listing the prober pods in namespace " + namespace + " with " + selector + " failed: " + e.getMessage(), e);
    }
  }

  private static boolean running(Pod pod) {
    return pod.getSpec() != null && pod.getSpec().getNodeName() != null
        && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
        && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()
        && pod.getMetadata().getDeletionTimestamp() == null;
  }
}
