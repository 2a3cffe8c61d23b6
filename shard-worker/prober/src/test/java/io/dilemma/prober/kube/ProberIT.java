package io.dilemma.prober.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.marcnuri.helm.Helm;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.operator.bench.TestApiServer;
import io.dilemma.operator.observe.NodeReading;
import io.dilemma.prober.core.ChangeThreshold;
import io.dilemma.prober.core.FigureSink;
import io.dilemma.prober.core.LevelShift;
import io.dilemma.prober.core.LinkMeasurement;
import io.dilemma.prober.core.PeerScheduler;
import io.dilemma.prober.core.ProbeLoop;
import io.dilemma.prober.core.ShareHysteresis;
import io.dilemma.prober.load.CpuCounters;
import io.dilemma.prober.measure.LinkProbeServer;
import io.dilemma.prober.measure.LinkProber;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The prober against the real kube-apiserver, acting as the chart's prober ServiceAccount (rendered
 * with prober.nodeNames = n1, n2): it finds its peer pod, probes it over loopback, writes the
 * EdgeLink and its own Node's figures, and is refused everything else.
 */
class ProberIT {
  private static final String NAMESPACE = "dilemma-system";
  private static final Map<String, String> POD_LABELS = Map.of(
      "app.kubernetes.io/name", "dilemma", "app.kubernetes.io/instance", "dilemma", "app.kubernetes.io/component", "prober");
  private static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  private static TestApiServer server;
  private static KubernetesClient admin;
  private static KubernetesClient prober;
  private static LinkProbeServer peerServer;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(TestApiServer.binariesPresent(), TestApiServer.missingBinariesMessage());
    server = TestApiServer.start();
    admin = server.client();
    server.installCrds();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("elsewhere").endMetadata().build()).serverSideApply();
    String rendered = new Helm(chart()).template().withName("dilemma").withNamespace(NAMESPACE)
        .set("prober.enabled", true).set("prober.nodeNames[0]", "n1").set("prober.nodeNames[1]", "n2").call();
    List<HasMetadata> rbac = admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items().stream()
        .filter(o -> RBAC_KINDS.contains(o.getKind()) && o.getMetadata().getName().endsWith("-prober")).toList();
    assertThat(rbac).hasSize(5);
    for (HasMetadata o : rbac) admin.resource(o).serverSideApply();
    prober = new KubernetesClientBuilder().withConfig(new ConfigBuilder(admin.getConfiguration())
        .withImpersonateUsername("system:serviceaccount:" + NAMESPACE + ":dilemma-prober")
        .withImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + NAMESPACE, "system:authenticated")
        .build()).build();
    for (String n : List.of("n1", "n2", "n3")) {
      admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata()
          .withNewStatus().withAllocatable(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4Gi"))).endStatus().build()).create();
    }
    peerServer = new LinkProbeServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64 << 20, 2);
    runningProberPod("prober-n1", "n1");
    runningProberPod("prober-n2", "n2");
  }

  private static Path chart() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find helm/dilemma above the working directory");
    return dir.resolve("helm/dilemma");
  }

  /** No kubelet runs, so the pod's status is set as one would. */
  private static void runningProberPod(String name, String node) {
    Pod pod = admin.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(POD_LABELS).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("prober").withImage("prober").endContainer().endSpec().build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").build());
    admin.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
  }

  @AfterAll
  static void stop() throws Exception {
    if (peerServer != null) peerServer.close();
    if (prober != null) prober.close();
    if (server != null) server.close();
  }

  private static final FigureSink NO_METRICS = new FigureSink() {
    @Override public void link(LinkMeasurement m) {}
    @Override public void compute(double f, double m) {}
    @Override public void availableShare(double s) {}
  };

  @Test
  void writesTheEdgeLinkAndItsOwnNodesFiguresWhichTheOperatorReads() throws Exception {
    KubernetesFigures store = new KubernetesFigures(prober, "n1");
    AtomicLong clockMicros = new AtomicLong();
    ProbeLoop loop = new ProbeLoop("n1",
        new ProbeLoop.Settings(0.5, 5, new ChangeThreshold(0.05, 0, Duration.ofMinutes(4)), new ChangeThreshold(0.1, 0.0002, Duration.ofMinutes(4)),
            new LevelShift(2, 0), new LevelShift(2, 0.0005), 0.1),
        new DaemonSetPeers(prober, NAMESPACE, POD_LABELS, "n1", peerServer.port()),
        new LinkProber(5, 2 << 20, Duration.ofSeconds(2), Duration.ofSeconds(5))::probe,
        new LinkProber(5, 1 << 20, Duration.ofMillis(250), Duration.ofSeconds(5))::probe,
        // 60% of the CPU busy with foreign work between the first two readings
        () -> {
          long t = clockMicros.getAndAdd(1_000_000);
          return new CpuCounters(t, t * 6 / 10, 0, 0, Map.of());
        },
        store, NO_METRICS, new PeerScheduler(Duration.ZERO),
        new ShareHysteresis(0.15, Duration.ofMinutes(2), 0.05), Clock.systemUTC());

    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    EdgeLink link = admin.resources(EdgeLink.class).withName("n1--n2").get();
    assertThat(link).as("EdgeLink n1--n2 created").isNotNull();
    assertThat(link.getSpec().from()).isEqualTo("n1");
    assertThat(link.getSpec().bandwidthMbps()).isPositive();
    assertThat(link.getStatus().source()).isEqualTo(EdgeLinkStatus.SOURCE_PROBE);
    assertThat(link.getStatus().samples()).isEqualTo(1);
    assertThat(link.getStatus().observedGeneration()).isEqualTo(link.getMetadata().getGeneration());
    assertThat(link.getStatus().bandwidthMbpsMin()).isEqualTo(link.getSpec().bandwidthMbps());

    // a second tick publishes the share and probes again, updating the same EdgeLink
    assertThat(loop.tick()).isIn(ProbeLoop.Outcome.PROBED_AND_WROTE, ProbeLoop.Outcome.PROBED_UNCHANGED);
    store.compute(12.5e9, 3.2e9);
    var node = admin.nodes().withName("n1").get();
    assertThat(node.getMetadata().getLabels()).containsEntry(KubernetesFigures.GFLOPS, "12.5")
        .containsEntry(KubernetesFigures.MEMORY_BANDWIDTH_GBPS, "3.2");
    assertThat(node.getMetadata().getAnnotations()).containsEntry(KubernetesFigures.AVAILABLE_COMPUTE_RATIO, "0.40");
    assertThat(NodeReading.of(node).node().flopsPerSecond()).as("the operator plans with G × share").isCloseTo(5e9, within(1.0));
    assertThat(admin.resources(EdgeLink.class).list().getItems()).extracting(l -> l.getMetadata().getName()).containsExactly("n1--n2");
  }

  @Test
  void itsRbacRefusesOtherNodesSecretsAndEverythingElse() {
    assertForbidden(() -> prober.nodes().withName("n3").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"dilemma.io/gflops\":\"1\"}}}"));
    assertForbidden(() -> prober.nodes().withName("n2").delete());
    assertForbidden(() -> prober.nodes().list());
    assertForbidden(() -> prober.secrets().inNamespace(NAMESPACE).list());
    assertForbidden(() -> prober.secrets().inNamespace(NAMESPACE).withName("anything").get());
    assertForbidden(() -> prober.pods().inNamespace("elsewhere").list());
    assertForbidden(() -> prober.pods().inNamespace(NAMESPACE).withName("prober-n2").delete());
    assertForbidden(() -> prober.resources(EdgeLink.class).withName("n1--n2").delete());
    assertForbidden(() -> prober.configMaps().inNamespace(NAMESPACE).list());
  }

  private static void assertForbidden(Runnable call) {
    assertThatThrownBy(call::run).isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
  }
}
