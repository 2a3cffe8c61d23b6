package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The shared E2E body on a single-node k3s in a container, installed the air-gapped way: the
 * image tars imported with {@code ctr images import}, the chart with image.pullPolicy=Never.
 * Skips without a Docker daemon. The node is named like the examples' origin, so the same
 * deployment applies; with one node the chain cannot span nodes and the link scenario skips.
 */
class K3sE2E extends ServingOnRealKubernetes {
  private static final String MODELS = "/var/lib/dilemma-models";

  @Override
  ClusterTarget startTarget() throws Exception {
    Assumptions.assumeTrue(dockerAvailable(), "no Docker daemon: the k3s E2E needs one");
    String tag = System.getProperty("dilemma.e2e.version", "0.1.0-SNAPSHOT");
    List<Path> images = List.of(
        REPO.resolve("operator/target/images/dilemma-operator-amd64.tar"),
        REPO.resolve("shard-worker/serving/target/images/shard-worker-amd64.tar"));
    for (Path image : images) {
      assertThat(image).as("build the images first: mvn -Pimages package").isRegularFile();
    }
    K3sContainer k3s = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.27.4-k3s1"));
    k3s.withCommand("server", "--disable=traefik", "--tls-san=" + k3s.getHost(), "--node-name=" + ORIGIN,
        "--node-label=dilemma.io/pool=office", "--node-label=dilemma.io/tier=edge",
        "--node-label=dilemma.io/gflops=25", "--node-label=dilemma.io/memory-bandwidth-gbps=6");
    k3s.start();
    for (Path image : images) {
      String inside = "/tmp/" + image.getFileName();
      k3s.copyFileToContainer(MountableFile.forHostPath(image), inside);
      var result = k3s.execInContainer("ctr", "-n", "k8s.io", "images", "import", inside);
      assertThat(result.getExitCode()).as("ctr images import %s: %s", image, result.getStderr()).isZero();
    }
    return new K3s(k3s, tag);
  }

  private static final class K3s extends KubeconfigTarget {
    private final K3sContainer k3s;
    private final Map<String, LocalPortForward> forwards = new HashMap<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    K3s(K3sContainer k3s, String tag) throws Exception {
      super(Files.writeString(Files.createTempFile("k3s-kubeconfig", ".yaml"), k3s.getKubeConfigYaml()), tag);
      this.k3s = k3s;
    }

    @Override
    public String publishModel(Path modelDir, String name) {
      k3s.copyFileToContainer(MountableFile.forHostPath(modelDir), MODELS + "/" + name);
      return MODELS;
    }

    /** The container's cluster network is not reachable from here: forward to the Service. */
    @Override
    public URI serviceUrl(Service service, int port) {
      String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName() + ":" + port;
      LocalPortForward forward = forwards.computeIfAbsent(key, k -> {
        LocalPortForward f = client().services().inNamespace(service.getMetadata().getNamespace())
            .withName(service.getMetadata().getName()).portForward(port);
        closeables.add(f);
        return f;
      });
      return URI.create("http://127.0.0.1:" + forward.getLocalPort());
    }

    @Override
    public void killContainer(Pod pod, String container) throws Exception {
      String id = containerId(pod, container);
      var result = k3s.execInContainer("ctr", "-n", "k8s.io", "tasks", "kill", "--signal", "SIGKILL", id);
      assertThat(result.getExitCode()).as("ctr tasks kill: %s", result.getStderr()).isZero();
    }

    @Override
    public void close() {
      for (AutoCloseable c : closeables) {
        try {
          c.close();
        } catch (Exception ignored) {
          // the container goes next
        }
      }
      super.close();
      k3s.stop();
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
