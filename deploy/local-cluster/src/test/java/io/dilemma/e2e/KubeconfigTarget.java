package io.dilemma.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A target reached through a kubeconfig file: the client built from it, the file for helm, the images' tag. */
abstract class KubeconfigTarget implements ClusterTarget {
  private final Path kubeconfig;
  private final String imageTag;
  private final KubernetesClient client;

  KubeconfigTarget(Path kubeconfig, String imageTag) throws IOException {
    this.kubeconfig = kubeconfig;
    this.imageTag = imageTag;
    this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
  }

  @Override
  public final KubernetesClient client() {
    return client;
  }

  @Override
  public final Path kubeconfig() {
    return kubeconfig;
  }

  @Override
  public final String imageTag() {
    return imageTag;
  }

  /** The container runtime's id of one of the pod's containers, without its {@code containerd://} scheme. */
  static String containerId(Pod pod, String container) {
    return pod.getStatus().getContainerStatuses().stream()
        .filter(s -> s.getName().equals(container)).findFirst().orElseThrow().getContainerID()
        .replaceFirst("^containerd://", "");
  }

  @Override
  public void close() {
    client.close();
  }
}
