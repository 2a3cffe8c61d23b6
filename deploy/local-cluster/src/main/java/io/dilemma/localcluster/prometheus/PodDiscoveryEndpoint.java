package io.dilemma.localcluster.prometheus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Prometheus' Kubernetes pod discovery, served over its HTTP discovery: Debian's prometheus is
 * built without Kubernetes discovery ({@code kubernetes_sd_configs} does not parse), so this reads
 * the pods from the API server and answers with the target groups pod discovery makes of them,
 * one per container port, with the same {@code __meta_kubernetes_pod_*} labels. The chart's
 * relabel rules then run in the real Prometheus unchanged.
 */
public final class PodDiscoveryEndpoint implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final KubernetesClient client;
  private final HttpServer server;

  public PodDiscoveryEndpoint(KubernetesClient client) throws IOException {
    this.client = client;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/pods", exchange -> {
      byte[] body = JSON.writeValueAsBytes(targetGroups());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/pods";
  }

  private ArrayNode targetGroups() {
    ArrayNode groups = JSON.createArrayNode();
    for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
      String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      if (ip == null || ip.isEmpty()) continue;
      for (Container container : pod.getSpec().getContainers()) {
        if (container.getPorts() == null || container.getPorts().isEmpty()) {
          groups.add(group(pod, container, null, ip));
        } else {
          for (ContainerPort port : container.getPorts()) groups.add(group(pod, container, port, ip));
        }
      }
    }
    return groups;
  }

  /** One target as pod discovery labels it (the subset of its labels the chart's rules read, and the usual others). */
  private static ObjectNode group(Pod pod, Container container, ContainerPort port, String ip) {
    ObjectNode group = JSON.createObjectNode();
    group.putArray("targets").add(port == null ? ip : ip + ":" + port.getContainerPort());
    ObjectNode labels = group.putObject("labels");
    labels.put("__meta_kubernetes_namespace", pod.getMetadata().getNamespace());
    labels.put("__meta_kubernetes_pod_name", pod.getMetadata().getName());
    labels.put("__meta_kubernetes_pod_ip", ip);
    labels.put("__meta_kubernetes_pod_node_name", pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName());
    labels.put("__meta_kubernetes_pod_phase", pod.getStatus().getPhase());
    labels.put("__meta_kubernetes_pod_container_name", container.getName());
    if (port != null) {
      labels.put("__meta_kubernetes_pod_container_port_name", port.getName() == null ? "" : port.getName());
      labels.put("__meta_kubernetes_pod_container_port_number", Integer.toString(port.getContainerPort()));
      labels.put("__meta_kubernetes_pod_container_port_protocol", port.getProtocol() == null ? "TCP" : port.getProtocol());
    }
    put(labels, "label", pod.getMetadata().getLabels());
    put(labels, "annotation", pod.getMetadata().getAnnotations());
    return group;
  }

  private static void put(ObjectNode labels, String kind, Map<String, String> values) {
    if (values == null) return;
    values.forEach((name, value) -> {
      String key = name.replaceAll("[^a-zA-Z0-9_]", "_");
      labels.put("__meta_kubernetes_pod_" + kind + "_" + key, value);
      labels.put("__meta_kubernetes_pod_" + kind + "present_" + key, "true");
    });
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
