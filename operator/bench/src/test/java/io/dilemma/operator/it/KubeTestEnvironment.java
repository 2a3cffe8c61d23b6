package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.operator.bench.TestApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The test API server, a client, and the real kubectl of the same version, with the project's CRDs
 * installed by {@code kubectl apply -f helm/dilemma/crds}.
 */
public final class KubeTestEnvironment implements AutoCloseable {
  /** The repository root, where deploy/ lives (tests run from the operator module). */
  public static final Path REPO = findRepo();

  private final TestApiServer server;
  private final Path kubeconfig;
  private KubernetesClient operatorClient;

  private KubeTestEnvironment(TestApiServer server, Path kubeconfig) {
    this.server = server;
    this.kubeconfig = kubeconfig;
  }

  /** Starts the server, or skips the calling test class when the binaries were never prepared. */
  public static KubeTestEnvironment start() throws IOException {
    Assumptions.assumeTrue(TestApiServer.binariesPresent(), TestApiServer.missingBinariesMessage());
    TestApiServer server = TestApiServer.start();
    Path kubeconfig = Files.createTempFile("dilemma-it-kubeconfig", ".yaml");
    Files.writeString(kubeconfig, server.kubeConfigYaml());
    KubeTestEnvironment env = new KubeTestEnvironment(server, kubeconfig);
    env.kubectl("apply", "-f", REPO.resolve("helm/dilemma/crds").toString());
    env.kubectl("wait", "--for=condition=Established", "--timeout=30s", "crd/llmdeployments.dilemma.io", "crd/edgelinks.dilemma.io");
    return env;
  }

  public KubernetesClient client() {
    return server.client();
  }

  /**
   * A client with exactly the permissions the Helm chart grants the operator; the operator under
   * test must use this one, never the admin {@link #client()}.
   */
  public synchronized KubernetesClient operatorClient() {
    if (operatorClient == null) operatorClient = ChartRbac.install(client());
    return operatorClient;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * A kubeconfig for an operator process: the chart's ServiceAccount (RBAC installed as for
   * {@link #operatorClient()}), authenticated by a token the API server issued for it.
   */
  public synchronized Path operatorKubeconfig() throws IOException {
    operatorClient();
    String account = ChartRbac.serviceAccount(client());
    var token = client().serviceAccounts().inNamespace(ChartRbac.NAMESPACE).withName(account)
        .tokenRequest(new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
            .withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
    var config = client().getConfiguration();
    String ca = config.getCaCertData() != null
        ? config.getCaCertData()
        : java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
    Path file = Files.createTempFile("dilemma-it-operator-kubeconfig", ".yaml");
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        "    server: " + config.getMasterUrl(),
        "    certificate-authority-data: " + ca,
        "users:",
        "- name: operator",
        "  user:",
        "    token: " + token,
        "contexts:",
        "- name: operator",
        "  context:",
        "    cluster: test",
        "    user: operator",
        "current-context: operator",
        ""));
    return file;
  }

  /**
   * Kills the kube-apiserver (SIGKILL) and starts it again on the same port and etcd after
   * {@code down}; returns once it is ready.
   */
  public void restartApiServer(java.time.Duration down) throws IOException, InterruptedException {
    server.restartApiServer(down, Files.createTempFile("kube-apiserver-restarted", ".log"));
  }

  /** Runs the real kubectl against the test server; fails the test on a non-zero exit. */
  public String kubectl(String... args) {
    KubectlResult result = tryKubectl(args);
    assertThat(result.exitCode()).as("kubectl %s\n%s", String.join(" ", args), result.output()).isZero();
    return result.output();
  }

  public record KubectlResult(int exitCode, String output) {}

  public KubectlResult tryKubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(TestApiServer.BINARIES.resolve("kubectl").toString());
    command.add("--kubeconfig");
    command.add(kubeconfig.toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + String.join(" ", args) + " timed out");
      }
      return new KubectlResult(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("cannot run kubectl", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Override
  public void close() throws IOException {
    if (operatorClient != null) operatorClient.close();
    server.close();
    Files.deleteIfExists(kubeconfig);
  }

  private static Path findRepo() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("helm/dilemma/crds"))) dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("cannot find the repository root (helm/dilemma/crds)");
    return dir;
  }
}
