package io.dilemma.operator.bench;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the controller-manager and kubelets, which the test API server lacks: every shard
 * Deployment becomes available {@code startDelay} after it appears or changes, the way a pod would
 * after pulling, loading and passing its readiness probe.
 */
public final class SimulatedKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final SharedIndexInformer<Deployment> informer;
  private final ConcurrentHashMap<String, Long> availableAt = new ConcurrentHashMap<>();
  /** Nodes whose kubelet has stopped: their pods are no longer ready, new ones never start. */
  private final java.util.Set<String> stoppedNodes = ConcurrentHashMap.newKeySet();
  private volatile Duration startDelay;

  public SimulatedKubelet(KubernetesClient client, Duration startDelay) {
    this.client = client;
    this.startDelay = startDelay;
    this.informer =
        client
            .apps()
            .deployments()
            .inAnyNamespace()
            .withLabel("app.kubernetes.io/managed-by", "dilemma-operator")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Deployment d) {
                    schedule(d);
                  }

                  @Override
                  public void onUpdate(Deployment old, Deployment d) {
                    schedule(d);
                  }

                  @Override
                  public void onDelete(Deployment d, boolean unknown) {}
                });
  }

  public void startDelay(Duration delay) {
    this.startDelay = delay;
  }

  /**
   * The kubelet of {@code node} stops: the pods of every shard Deployment pinned there stop
   * being ready (their Deployments report 0 available), and none starts there again. The Node's
   * own status is the node controller's business: the caller sets it, as that controller would.
   */
  public void stopNode(String node) {
    stoppedNodes.add(node);
    for (Deployment d : informer.getStore().list()) {
      if (node.equals(nodeOf(d))) scheduler.execute(() -> markUnavailable(d.getMetadata().getNamespace(), d.getMetadata().getName()));
    }
  }

  private static String nodeOf(Deployment d) {
    var selector = d.getSpec().getTemplate().getSpec().getNodeSelector();
    return selector == null ? null : selector.get("kubernetes.io/hostname");
  }

  private void markUnavailable(String namespace, String name) {
    try {
      Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
      if (d == null) return;
      d.setStatus(
          new DeploymentStatusBuilder()
              .withObservedGeneration(d.getMetadata().getGeneration())
              .withReplicas(1)
              .withUpdatedReplicas(1)
              .withReadyReplicas(0)
              .withAvailableReplicas(0)
              .withUnavailableReplicas(1)
              .build());
      client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    } catch (KubernetesClientException e) {
      // changed meanwhile: its update event comes back here
    }
  }

  /** When (epoch ms) the named Deployment was last made available, or null. */
  public Long availableAt(String namespace, String name) {
    return availableAt.get(namespace + "/" + name);
  }

  private void schedule(Deployment d) {
    var status = d.getStatus();
    if (stoppedNodes.contains(nodeOf(d))) {
      boolean reportedDown = status != null && status.getAvailableReplicas() != null && status.getAvailableReplicas() == 0
          && status.getObservedGeneration() != null && status.getObservedGeneration() >= d.getMetadata().getGeneration();
      if (!reportedDown) scheduler.execute(() -> markUnavailable(d.getMetadata().getNamespace(), d.getMetadata().getName()));
      return;
    }
    boolean current =
        status != null
            && status.getObservedGeneration() != null
            && status.getObservedGeneration() >= d.getMetadata().getGeneration()
            && status.getAvailableReplicas() != null
            && status.getAvailableReplicas() >= 1;
    if (current) return;
    scheduler.schedule(() -> markAvailable(d.getMetadata().getNamespace(), d.getMetadata().getName()),
        startDelay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void markAvailable(String namespace, String name) {
    try {
      Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
      if (d == null || stoppedNodes.contains(nodeOf(d))) return;
      d.setStatus(
          new DeploymentStatusBuilder()
              .withObservedGeneration(d.getMetadata().getGeneration())
              .withReplicas(1)
              .withUpdatedReplicas(1)
              .withReadyReplicas(1)
              .withAvailableReplicas(1)
              .build());
      // Stamped before the write: nobody can have seen the Deployment available any earlier.
      long now = System.currentTimeMillis();
      client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
      availableAt.put(namespace + "/" + name, now);
    } catch (KubernetesClientException e) {
      // A conflict means the Deployment changed again; its update event schedules another pass.
    }
  }

  @Override
  public void close() {
    informer.close();
    scheduler.shutdownNow();
  }
}
