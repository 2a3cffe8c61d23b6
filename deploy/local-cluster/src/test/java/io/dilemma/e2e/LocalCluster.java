package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster of {@code deploy/local-cluster/cluster up}: its kubeconfig sits in the state
 * directory, next to each node's containerd socket. Service ClusterIPs are reachable from this
 * machine through the real kube-proxy rules, so requests go to the ClusterIP directly.
 */
final class LocalCluster extends KubeconfigTarget {
  private final Path state;

  LocalCluster(Path kubeconfig, String imageTag) throws IOException {
    super(kubeconfig, imageTag);
    this.state = kubeconfig.toAbsolutePath().getParent();
  }

  /** Every node is this machine: a hostPath on any node sees the directory itself. */
  @Override
  public String publishModel(Path modelDir, String name) throws IOException {
    Path published = Files.createDirectories(state.resolve("models")).resolve(name);
    if (Files.exists(published)) {
      try (var files = Files.walk(published)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
      }
    }
    try (var files = Files.walk(modelDir)) {
      for (Path p : files.toList()) {
        Path target = published.resolve(modelDir.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else Files.copy(p, target);
      }
    }
    return published.getParent().toString();
  }

  @Override
  public URI serviceUrl(Service service, int port) {
    return URI.create("http://" + service.getSpec().getClusterIP() + ":" + port);
  }

  /**
   * The cluster named by {@code -Ddilemma.e2e.kubeconfig} (CI sets it); aborts (skips) the class
   * when none is named.
   */
  static LocalCluster fromSystemProperties() throws IOException {
    String kubeconfig = System.getProperty("dilemma.e2e.kubeconfig", "");
    org.junit.jupiter.api.Assumptions.assumeTrue(!kubeconfig.isBlank(),
        "no local cluster: run deploy/local-cluster/cluster up and pass -Ddilemma.e2e.kubeconfig=<state dir>/kubeconfig");
    Path file = Path.of(kubeconfig);
    if (!Files.isRegularFile(file)) throw new IllegalStateException("dilemma.e2e.kubeconfig: " + file + " does not exist");
    return new LocalCluster(file, System.getProperty("dilemma.e2e.version", "0.1.0-SNAPSHOT"));
  }

  /** Stops one component (kube-apiserver, kubelet-NODE, ...) with the cluster script's fault drill. */
  void stop(String component) throws Exception {
    script("stop", component);
  }

  /** Starts it again; returns once it serves (a kubelet: once its node heartbeats Ready). */
  void start(String component) throws Exception {
    script("start", component);
  }

  private void script(String action, String component) throws Exception {
    Path script = ServingOnRealKubernetes.REPO.resolve("deploy/local-cluster/cluster");
    ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(), action, component)).redirectErrorStream(true);
    builder.environment().put("DILEMMA_CLUSTER_DIR", state.toString());
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("cluster %s %s", action, component).isTrue();
    assertThat(p.exitValue()).as("cluster %s %s: %s", action, component, out).isZero();
  }

  @Override
  public void killContainer(Pod pod, String container) throws Exception {
    String id = containerId(pod, container);
    String node = pod.getSpec().getNodeName();
    Path socket = state.resolve("nodes").resolve(node).resolve("containerd.sock");
    Process ctr = new ProcessBuilder(List.of(
            "ctr", "--address", socket.toString(), "--namespace", "k8s.io",
            "tasks", "kill", "--signal", "SIGKILL", id))
        .redirectErrorStream(true).start();
    String out = new String(ctr.getInputStream().readAllBytes());
    assertThat(ctr.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(ctr.exitValue()).as("ctr tasks kill on %s: %s", node, out).isZero();
  }
}
