package io.dilemma.demo;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.localcluster.Poll;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a user does by hand in the quick start, done for the demo: the CRDs, the chart with its
 * probers, a namespace with the model's profile and a volume of the model, the LLMDeployment; and
 * the way back. The closed-loop experiment installs the same chart and stages its own model the
 * same way, under its own names.
 */
public final class DemoInstall {
  /** Where {@link #chart} installs the release {@value #RELEASE}: the operator and the probers. */
  public static final String SYSTEM_NAMESPACE = "dilemma-system";
  public static final String RELEASE = "dilemma";
  /** The local cluster's node that holds the tokens (EdgeTopology's gateway). */
  public static final String ORIGIN = "pi5-gateway";
  /**
   * The probers' {@code --probe-interval}: one peer per interval. The chart's 30 s suits a link
   * that changes over minutes; the demo's reader waits for the probers, so five seconds.
   */
  public static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
  static final String NAMESPACE = "demo";
  static final String NAME = "fortunes";
  private static final String VOLUME = "demo-model";
  /** Node labels the cluster script types in; the probers' measurements must replace them. */
  private static final List<String> TYPED_FIGURES = List.of("dilemma.io/gflops", "dilemma.io/memory-bandwidth-gbps");

  private final KubernetesClient client;
  private final Path repo;
  private final Path kubeconfig;
  private final String imageTag;
  private final String namespace;
  private final String name;
  private final String volume;
  private final Map<String, Map<String, String>> typed = new HashMap<>();

  /** The demo's: LLMDeployment {@value #NAMESPACE}/{@value #NAME}, its model on the volume {@value #VOLUME}. */
  DemoInstall(KubernetesClient client, Path repo, Path kubeconfig, String imageTag) {
    this(client, repo, kubeconfig, imageTag, NAMESPACE, NAME, VOLUME);
  }

  /**
   * @param namespace the LLMDeployment's namespace, made anew by {@link #namespace}
   * @param name the LLMDeployment's name; its profile ConfigMap is {@code name-profile}
   * @param volume the PersistentVolume and the claim of the staged model
   */
  public DemoInstall(KubernetesClient client, Path repo, Path kubeconfig, String imageTag, String namespace, String name, String volume) {
    this.client = client;
    this.repo = repo;
    this.kubeconfig = kubeconfig;
    this.imageTag = imageTag;
    this.namespace = namespace;
    this.name = name;
    this.volume = volume;
  }

  /**
   * What an earlier run left (one with {@code --keep}, or one stopped halfway) goes first, the
   * deployment while the operator that owns its objects still runs, then the release.
   */
  void removeLeftovers() throws Exception {
    var leftover = client.resources(LLMDeployment.class).inNamespace(namespace).withName(name);
    if (leftover.get() != null) {
      leftover.delete();
      try {
        Poll.until(Duration.ofSeconds(60), "LLMDeployment " + namespace + "/" + name + " deleted by its operator",
            () -> leftover.get() == null ? Boolean.TRUE : null);
      } catch (IllegalStateException noOperator) {
        // an earlier run stopped after the chart was gone: no operator is left to finalize it
        leftover.edit(d -> {
          d.getMetadata().setFinalizers(List.of());
          return d;
        });
      }
    }
    deleteNamespace(namespace);
    client.persistentVolumes().withName(volume).delete();
    Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(kubeconfig).ignoreNotFound().call();
    Poll.until(Duration.ofMinutes(3), "the pods of an earlier release gone from " + SYSTEM_NAMESPACE,
        () -> client.pods().inNamespace(SYSTEM_NAMESPACE).list().getItems().isEmpty() ? Boolean.TRUE : null);
  }

  /** Helm installs CRDs only when absent and never upgrades them: apply them as users must. */
  public void crds() throws Exception {
    try (var crds = Files.list(repo.resolve("helm/dilemma/crds"))) {
      for (Path crd : crds.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
        try (var in = Files.newInputStream(crd)) {
          client.apiextensions().v1().customResourceDefinitions().load(in).forceConflicts().serverSideApply();
        }
      }
    }
    Poll.until(Duration.ofMinutes(1), "the EdgeLink API served", () -> {
      client.resources(EdgeLink.class).list();
      return Boolean.TRUE;
    });
  }

  /**
   * Removes the figures typed into node labels, earlier readings of the nodes' live load and
   * every EdgeLink: only this run's measurements may plan.
   */
  void forgetTypedFigures() {
    for (Node node : client.nodes().list().getItems()) {
      Map<String, String> labels = new HashMap<>();
      for (String key : TYPED_FIGURES) {
        String v = node.getMetadata().getLabels().get(key);
        if (v != null) labels.put(key, v);
      }
      typed.put(node.getMetadata().getName(), labels);
      client.nodes().withName(node.getMetadata().getName()).edit(n -> {
        n.getMetadata().getLabels().keySet().removeAll(TYPED_FIGURES);
        // an earlier run's probers' reading of the live load is no reading of today's
        if (n.getMetadata().getAnnotations() != null) n.getMetadata().getAnnotations().remove(CpuHog.ANNOTATION);
        return n;
      });
    }
    client.resources(EdgeLink.class).list().getItems().forEach(l -> client.resource(l).delete());
  }

  /**
   * Returns once the release is installed, not once its pods are Ready: the demo waits for what it
   * needs, the probers' measurements, and an LLMDeployment applied before the operator runs is
   * reconciled when it does.
   */
  void chart() throws Exception {
    chartInstall().call();
  }

  /** The chart installed, returning once its pods are Ready or failing after {@code timeout}. */
  public void chartReady(Duration timeout) throws Exception {
    chartInstall().waitReady().withTimeout((int) timeout.toSeconds()).call();
  }

  private InstallCommand chartInstall() {
    return new Helm(repo.resolve("helm/dilemma")).install()
        .withName(RELEASE).withNamespace(SYSTEM_NAMESPACE).createNamespace()
        .withKubeConfig(kubeconfig)
        .set("image.repository", "dilemma/operator")
        .set("image.tag", imageTag)
        .set("image.pullPolicy", "Never")
        .set("prober.enabled", "true")
        .set("prober.image.pullPolicy", "Never")
        .set("prober.probeInterval", PROBE_INTERVAL.toString())
        .set("prober.nodeCgroup", "auto")
        // the chart's two minutes guard a production node against a passing spike; the demo's
        // hog stays, and a user watching should see it within the minute
        .set("prober.shareHold", "PT20S");
  }

  /**
   * The namespace, the profile ConfigMap and a read-only volume of the model on the nodes' disks.
   *
   * @param hostModels the directory on every node that holds the model's directory
   */
  public void namespace(String profileJson, Path hostModels) throws Exception {
    deleteNamespace(namespace);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
    client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(name + "-profile").addToLabels("dilemma.io/profile", "true").endMetadata()
        .withData(Map.of("profile.json", profileJson)).build()).create();
    client.persistentVolumes().withName(volume).delete();
    Poll.until(Duration.ofMinutes(1), "old PersistentVolume " + volume + " gone",
        () -> client.persistentVolumes().withName(volume).get() == null ? Boolean.TRUE : null);
    String yaml = """
        apiVersion: v1
        kind: PersistentVolume
        metadata:
          name: %3$s
        spec:
          capacity: {storage: 1Gi}
          accessModes: [ReadOnlyMany]
          persistentVolumeReclaimPolicy: Retain
          storageClassName: staged-models
          claimRef: {namespace: %2$s, name: %3$s}
          hostPath: {path: %1$s, type: Directory}
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: %3$s
          namespace: %2$s
        spec:
          accessModes: [ReadOnlyMany]
          storageClassName: staged-models
          volumeName: %3$s
          resources: {requests: {storage: 1Gi}}
        """.formatted(hostModels, namespace, volume);
    client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).inNamespace(namespace).createOrReplace();
  }

  /** The LLMDeployment a user would write for this edge: a chat-sized workload, a KL budget. */
  LLMDeployment deployment(int promptTokens, int outputTokens) {
    String yaml = """
        apiVersion: dilemma.io/v1alpha1
        kind: LLMDeployment
        metadata:
          name: %1$s
          namespace: %2$s
        spec:
          model:
            name: %3$s
            profile:
              name: %1$s-profile
            source:
              persistentVolumeClaim:
                claimName: %4$s
                path: %3$s
          workload:
            promptTokens: %5$d
            outputTokens: %6$d
          quality:
            metric: klDivergence
            budget: 0.05
          allowedBits: [4, 8, 16]
          allowedRho: [0, 0.25, 0.5]
          placement:
            nodeSelector:
              dilemma.io/pool: office
            originNode: %7$s
            keepTokensOnOrigin: true
          replanPolicy:
            minRelativeImprovement: 0.1
            stabilizationWindowSeconds: 10
          solver:
            timeLimitSeconds: 5
          worker:
            image: dilemma/shard-worker:%8$s
        """.formatted(name, namespace, DemoModel.NAME, volume, promptTokens, outputTokens, ORIGIN, imageTag);
    return client.resources(LLMDeployment.class).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
  }

  public void apply(LLMDeployment deployment) {
    client.resource(deployment).forceConflicts().serverSideApply();
  }

  /** Everything the demo made, gone; the typed node figures back. */
  void uninstall() throws Exception {
    var d = client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
    if (d != null) client.resource(d).delete();
    deleteNamespace(namespace);
    client.persistentVolumes().withName(volume).delete();
    Helm.uninstall(RELEASE).withNamespace(SYSTEM_NAMESPACE).withKubeConfig(kubeconfig).ignoreNotFound().call();
    deleteNamespace(SYSTEM_NAMESPACE);
    client.resources(EdgeLink.class).list().getItems().forEach(l -> client.resource(l).delete());
    typed.forEach((node, labels) -> client.nodes().withName(node).edit(n -> {
      n.getMetadata().getLabels().putAll(labels);
      if (n.getMetadata().getAnnotations() != null) n.getMetadata().getAnnotations().remove(CpuHog.ANNOTATION);
      return n;
    }));
  }

  private void deleteNamespace(String namespace) throws InterruptedException {
    if (client.namespaces().withName(namespace).get() == null) return;
    client.namespaces().withName(namespace).delete();
    awaitNamespaceGone(namespace);
  }

  private void awaitNamespaceGone(String namespace) throws InterruptedException {
    Poll.until(Duration.ofMinutes(3), "namespace " + namespace + " gone",
        () -> client.namespaces().withName(namespace).get() == null ? Boolean.TRUE : null);
  }
}
