package io.dilemma.observability;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods in the test API server for processes that run on this machine's loopback: the API server
 * has no kubelet, so each pod is made from the real pod template (the chart's, or the one the
 * operator's builder writes) and marked Running at 127.0.0.1, the way a kubelet would. Prometheus'
 * Kubernetes discovery then finds them exactly as it would in a cluster.
 */
final class DiscoverablePods {
  static final String LOOPBACK = "127.0.0.1";
  private final KubernetesClient client;

  DiscoverablePods(KubernetesClient client) {
    this.client = client;
  }

  /**
   * A running pod from {@code template}; {@code metricsPort} replaces the template's
   * prometheus.io/port (processes on one loopback cannot all listen on the pod's port), or null
   * to keep it.
   */
  Pod run(String namespace, String name, String node, PodTemplateSpec template, Integer metricsPort) {
    Map<String, String> annotations = new LinkedHashMap<>(template.getMetadata().getAnnotations());
    if (metricsPort != null) annotations.put("prometheus.io/port", Integer.toString(metricsPort));
    // the containers' names, images and ports only: nothing here runs them
    List<Container> containers = template.getSpec().getContainers().stream()
        .map(c -> new ContainerBuilder().withName(c.getName()).withImage(c.getImage()).withPorts(c.getPorts()).build())
        .toList();
    Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(template.getMetadata().getLabels()).withAnnotations(annotations).endMetadata()
        .withNewSpec().withNodeName(node).withContainers(containers).endSpec()
        .build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(LOOPBACK)
        .withPodIPs(new PodIPBuilder().withIp(LOOPBACK).build()).withHostIP(LOOPBACK).build());
    return client.pods().inNamespace(namespace).resource(pod).updateStatus();
  }
}
