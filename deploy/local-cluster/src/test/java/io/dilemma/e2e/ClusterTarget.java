package io.dilemma.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;

/**
 * A real Kubernetes the shared E2E body runs against: the local multi-node cluster, or k3s in a
 * container. Everything cluster-specific the scenarios need goes through here.
 */
interface ClusterTarget extends AutoCloseable {
  KubernetesClient client();

  /** Kubeconfig file for helm. */
  Path kubeconfig();

  /** The images' tag; every node already has the operator and shard-worker images under it. */
  String imageTag();

  /** Makes a model directory readable on every node; returns the node path for a hostPath volume. */
  String publishModel(Path modelDir, String name) throws Exception;

  /** A base URL that reaches the given port of a Service through the cluster's own Service routing. */
  URI serviceUrl(Service service, int port) throws Exception;

  /** SIGKILLs a container through the node's container runtime, as an OOM kill or crash would. */
  void killContainer(Pod pod, String container) throws Exception;

  @Override
  void close();
}
