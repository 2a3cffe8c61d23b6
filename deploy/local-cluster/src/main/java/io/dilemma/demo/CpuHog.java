package io.dilemma.demo;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.dilemma.localcluster.Poll;
import java.time.Duration;
import java.util.List;

/**
 * Someone else's busy work on a node the plan runs on: a pod of three busy loops, not Dilemma's, in
 * the node's CPU share. The prober counts it as foreign load and publishes the share left to
 * Dilemma ({@code dilemma.io/available-compute-ratio}); the operator plans around it. The demo
 * uses it when the plan crosses no link, so a link throttle would change nothing.
 */
public final class CpuHog implements Fault {
  public static final String ANNOTATION = "dilemma.io/available-compute-ratio";
  private static final String NAME = "someone-elses-batch-job";
  private final KubernetesClient client;
  private final String namespace;
  private final String node;
  private final String image;
  private final String cpuRequest;

  /**
   * @param cpuRequest the batch job's CPU request, its weight against the shards' on the node: a
   *     big one (1500m against a shard's 250m) leaves a shard starting there a sliver of the node
   */
  public CpuHog(KubernetesClient client, String namespace, String node, String image, String cpuRequest) {
    this.client = client;
    this.namespace = namespace;
    this.node = node;
    this.image = image;
    this.cpuRequest = cpuRequest;
  }

  @Override
  public String describe() {
    return "three busy loops started on " + node + " by a pod that is not Dilemma's (" + namespace + "/" + NAME + ")";
  }

  private double before = Double.NaN;

  /** The share the node's prober publishes now; 1 while it has published none. */
  public double share() {
    var annotations = client.nodes().withName(node).get().getMetadata().getAnnotations();
    String share = annotations == null ? null : annotations.get(ANNOTATION);
    return share == null ? 1.0 : Double.parseDouble(share);
  }

  @Override
  public void inflict() {
    before = share();
    Pod hog = new PodBuilder()
        .withNewMetadata().withName(NAME).withNamespace(namespace).addToLabels("app", NAME).endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withTerminationGracePeriodSeconds(0L)
        .addNewContainer()
        .withName("busy")
        .withImage(image)
        .withImagePullPolicy("Never")
        .withCommand(List.of("sh", "-c", "for i in 1 2 3; do (while :; do :; done) & done; wait"))
        // a request, as a real batch job has: a BestEffort container's CPU weight is 2 against a
        // shard's hundreds, so it would only take what the shard leaves
        .withNewResources().addToRequests("cpu", new Quantity(cpuRequest)).addToRequests("memory", new Quantity("16Mi")).endResources()
        .endContainer()
        .endSpec()
        .build();
    client.pods().inNamespace(namespace).resource(hog).create();
  }

  /** The pod deleted, and gone: the busy loops stop with it. */
  public void remove() throws InterruptedException {
    client.pods().inNamespace(namespace).withName(NAME).withGracePeriod(0).delete();
    Poll.until(Duration.ofMinutes(2), "pod " + namespace + "/" + NAME + " gone",
        () -> client.pods().inNamespace(namespace).withName(NAME).get() == null ? Boolean.TRUE : null);
  }

  @Override
  public String detected() {
    // the prober publishes a move beyond its 0.15 hysteresis once it has lasted its hold; an
    // earlier figure may stand in between, so any drop beyond 0.1 is the hog
    double now = share();
    return now < before - 0.1 ? String.format(java.util.Locale.ROOT, "%s %s %.2f -> %.2f", node, ANNOTATION, before, now) : null;
  }
}
