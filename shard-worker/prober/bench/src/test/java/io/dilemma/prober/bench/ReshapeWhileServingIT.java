package io.dilemma.prober.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.operator.bench.TestApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real prober processes ({@code probe}, as the DaemonSet runs it) on loopback against the real
 * kube-apiserver, n1 reaching n2 through a shaped relay, while a process that carries the shard
 * marker keeps the node busy (the "serving" signal). The relay is throttled tenfold mid-run; n1's
 * EdgeLink must show the new rate by the second probe that started after the change, and those
 * probes must be the light ones of a serving node.
 *
 * <p>Addresses stand for pod IPs: n1 is 127.0.0.1, n2's pod IP 127.0.0.2 is the relay, and n2's
 * prober listens on 127.0.0.3 behind it, all on the same probe port as in a DaemonSet. On a host
 * whose processes share one cgroup the "shard" cgroup's usage is the whole host's, which is busy
 * all the same: the signal is on either way, and the log says so.
 */
class ReshapeWhileServingIT {
  private static final String NAMESPACE = "dilemma-system";
  private static final Map<String, String> POD_LABELS = Map.of("app.kubernetes.io/component", "prober");
  private static final String SHARD_MARKER = "reshape-it-shard";
  private static final double FAST_BITS = 40e6;
  private static final double SLOW_BITS = 4e6;
  private static final Pattern PROBED_N2 = Pattern.compile("probed n2 \\(([^)]*)\\): ([0-9.]+) Mbit/s");

  /** The DaemonSet's own jar, as the prober module packaged it (the bench module's working directory is its own). */
  private static final Path PROBER_JAR = Path.of("..", "target", "dilemma-prober.jar").toAbsolutePath().normalize();

  private final List<Process> processes = new ArrayList<>();
  private TestApiServer server;
  private ShapedRelay relay;

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) p.destroyForcibly().waitFor();
    if (relay != null) relay.close();
    if (server != null) server.close();
  }

  @Test
  void aTenfoldThrottleWhileServingReachesTheEdgeLinkWithinTwoProbes(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(TestApiServer.binariesPresent(), TestApiServer.missingBinariesMessage());
    assertThat(PROBER_JAR).as("the prober jar (package shard-worker/prober first)").exists();
    server = TestApiServer.start();
    KubernetesClient admin = server.client();
    server.installCrds();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).serverSideApply();
    for (String n : List.of("n1", "n2")) admin.nodes().resource(new NodeBuilder().withNewMetadata().withName(n).endMetadata().build()).create();
    runningProberPod(admin, "prober-n1", "n1", "127.0.0.1");
    runningProberPod(admin, "prober-n2", "n2", "127.0.0.2");
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, server.kubeConfigYaml());

    int port = freePort();
    relay = new ShapedRelay(new InetSocketAddress("127.0.0.2", port), new InetSocketAddress("127.0.0.3", port), FAST_BITS, 0);
    processes.add(new ProcessBuilder("sh", "-c", "while :; do :; done", SHARD_MARKER).redirectErrorStream(true)
        .redirectOutput(dir.resolve("shard.log").toFile()).start());
    Path n1Log = dir.resolve("n1.log");
    prober("n1", "127.0.0.1", port, kubeconfig, n1Log);
    prober("n2", "127.0.0.3", port, kubeconfig, dir.resolve("n2.log"));

    await(() -> probesOfN2(n1Log).size() >= 2, n1Log, "two probes of n2 by n1");
    EdgeLink before = admin.resources(EdgeLink.class).withName("n1--n2").get();
    assertThat(before).as("EdgeLink n1--n2 written").isNotNull();
    assertThat(before.getSpec().bandwidthMbps()).as("the fast link's figure").isGreaterThan(2.5 * SLOW_BITS / 1e6);

    // re-shape right after a probe ended: the next starts an interval later, wholly on the slow link
    int seen = probesOfN2(n1Log).size();
    await(() -> probesOfN2(n1Log).size() > seen, n1Log, "the next probe of n2");
    relay.rate(SLOW_BITS);
    long samplesAtChange = probesOfN2(n1Log).size();

    // the prober writes the spec, then stamps the status for that generation: a read between the
    // two sees the new spec with the samples of the last write before it
    await(() -> {
      EdgeLink link = admin.resources(EdgeLink.class).withName("n1--n2").get();
      return link.getSpec().bandwidthMbps() < 2 * SLOW_BITS / 1e6 && link.getStatus() != null
          && java.util.Objects.equals(link.getStatus().observedGeneration(), link.getMetadata().getGeneration());
    }, n1Log, "n1--n2 to show the throttled link, its status stamped");
    EdgeLink after = admin.resources(EdgeLink.class).withName("n1--n2").get();
    assertThat(after.getStatus().samples() - samplesAtChange).as("probes after the change until it was written").isLessThanOrEqualTo(2);
    assertThat(after.getSpec().bandwidthMbps() / (SLOW_BITS / 1e6)).as("published / shaped rate").isBetween(0.7, 1.3);
    List<String[]> probes = probesOfN2(n1Log);
    System.out.printf("n1--n2 before %.2f Mbit/s, after %.2f Mbit/s (samples %d, change after %d); probes: %s%n",
        before.getSpec().bandwidthMbps(), after.getSpec().bandwidthMbps(), after.getStatus().samples(), samplesAtChange,
        probes.stream().map(p -> p[1] + " (" + p[0] + ")").toList());
    for (String[] probe : probes.subList((int) samplesAtChange, after.getStatus().samples().intValue())) {
      assertThat(probe[0]).as("a probe after the change").isEqualTo("light, shards serving");
    }
  }

  private void prober(String node, String listen, int port, Path kubeconfig, Path log) throws IOException {
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", PROBER_JAR.toString(), "probe", "--node", node, "--namespace", NAMESPACE,
        "--peer-selector", "app.kubernetes.io/component=prober", "--port", Integer.toString(port), "--listen-address", listen,
        "--metrics-port", Integer.toString(freePort()), "--probe-interval", "PT3S", "--shard-marker", SHARD_MARKER);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    processes.add(builder.start());
  }

  /** Mode and Mbit/s of each of n1's probes of n2, in order, from its log. */
  private static List<String[]> probesOfN2(Path log) {
    List<String[]> probes = new ArrayList<>();
    try {
      Matcher m = PROBED_N2.matcher(Files.readString(log, StandardCharsets.UTF_8));
      while (m.find()) probes.add(new String[] {m.group(1), m.group(2)});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return probes;
  }

  /** Waits for a condition; the deadline only keeps a broken prober from hanging the build. */
  private void await(BooleanSupplier condition, Path log, String what) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (!condition.getAsBoolean()) {
      for (Process p : processes) {
        if (!p.isAlive()) throw new AssertionError("a process exited (" + p.exitValue() + ") waiting for " + what + "; n1's log:\n" + Files.readString(log));
      }
      if (System.nanoTime() > deadline) throw new AssertionError("gave up waiting for " + what + "; n1's log:\n" + Files.readString(log));
      Thread.sleep(50);
    }
  }

  /** No kubelet runs, so the pod's status is set as one would. */
  private static void runningProberPod(KubernetesClient admin, String name, String node, String ip) {
    Pod pod = admin.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(POD_LABELS).endMetadata()
        .withNewSpec().withNodeName(node).addNewContainer().withName("prober").withImage("prober").endContainer().endSpec().build()).create();
    pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(ip).build());
    admin.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
