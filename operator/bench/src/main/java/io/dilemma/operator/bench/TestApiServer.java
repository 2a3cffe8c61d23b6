package io.dilemma.operator.bench;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real kube-apiserver 1.20.2 and etcd, as prepared by {@code .ci/prepare-kube-test-env.sh}: what
 * the ITs and {@code bench operator} run against. No controller-manager, no kubelets.
 */
public final class TestApiServer implements AutoCloseable {
  public static final String VERSION = "1.20.2";
  public static final Path TEST_DIR = Path.of(System.getProperty("user.home"), ".dilemma", "kube-test");
  public static final Path BINARIES = TEST_DIR.resolve("k8s").resolve(VERSION + "-linux-amd64");

  private final KubeAPIServer server;
  private final KubernetesClient client;
  /** The kube-apiserver started by {@link #restartApiServer}, which kube-api-test does not know of. */
  private Process restarted;

  private TestApiServer(KubeAPIServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  public static boolean binariesPresent() {
    return Files.isExecutable(BINARIES.resolve("kube-apiserver"))
        && Files.isExecutable(BINARIES.resolve("etcd"))
        && Files.isExecutable(BINARIES.resolve("kubectl"));
  }

  public static String missingBinariesMessage() {
    return "kube-apiserver, etcd and kubectl " + VERSION + " are not in " + BINARIES
        + "; run: bash .ci/prepare-kube-test-env.sh";
  }

  /**
   * How long kube-api-test waits for {@code /readyz} and the default namespace. Its default, 60 s,
   * was not enough once in CI (the ITs' API server did not start, on a loaded machine).
   */
  static final int STARTUP_TIMEOUT_MILLIS = 180_000;

  public static TestApiServer start() {
    if (!binariesPresent()) throw new IllegalStateException(missingBinariesMessage());
    KubeAPIServer server = startWithOneRetry();
    KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
    return new TestApiServer(server, client);
  }

  /**
   * One more try on fresh ports when the first start fails: kube-api-test picks each port by
   * opening and closing a socket, so another process may take it before etcd or the API server
   * binds it, and the API server then never answers.
   */
  private static KubeAPIServer startWithOneRetry() {
    KubeAPIServer first = newServer();
    try {
      first.start();
      return first;
    } catch (RuntimeException firstFailure) {
      stopQuietly(first);
      System.err.println("[TestApiServer] the kube-apiserver did not start (" + firstFailure.getMessage() + "); trying once more on new ports");
      KubeAPIServer second = newServer();
      try {
        second.start();
        return second;
      } catch (RuntimeException secondFailure) {
        stopQuietly(second);
        secondFailure.addSuppressed(firstFailure);
        throw secondFailure;
      }
    }
  }

  private static KubeAPIServer newServer() {
    return new KubeAPIServer(
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(TEST_DIR.toString())
            .withApiServerVersion(VERSION)
            .withOfflineMode(true)
            .withUpdateKubeConfig(false)
            .withStartupTimeout(STARTUP_TIMEOUT_MILLIS)
            .build());
  }

  private static void stopQuietly(KubeAPIServer server) {
    try {
      server.stop();
    } catch (RuntimeException alreadyDown) {
      // a process that never started cannot be stopped; nothing is left to clean up
    }
  }

  public KubernetesClient client() {
    return client;
  }

  public String kubeConfigYaml() {
    return server.getKubeConfigYaml();
  }

  /** Installs the CRDs from the YAML on the classpath (the copy helm/dilemma/crds/ also holds). */
  public void installCrds() {
    for (String name : new String[] {"llmdeployments.dilemma.io-v1.yml", "edgelinks.dilemma.io-v1.yml"}) {
      var crd =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .load(TestApiServer.class.getResourceAsStream("/META-INF/dilemma/" + name))
              .item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(crd.getMetadata().getName())
          .waitUntilCondition(
              c -> c.getStatus() != null && c.getStatus().getConditions() != null
                  && c.getStatus().getConditions().stream()
                      .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")),
              30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * Stops the kube-apiserver process and starts it again with the same command line: the same
   * port, certificates and etcd, whose data stays. Returns once it answers {@code /readyz}.
   *
   * @param down how long it stays stopped
   */
  public void restartApiServer(java.time.Duration down, Path log) throws java.io.IOException, InterruptedException {
    ProcessHandle running = restarted != null ? restarted.toHandle() : apiServerProcess();
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(running.info().command().orElseThrow(() -> new IllegalStateException("cannot read the kube-apiserver's command")));
    command.addAll(java.util.List.of(running.info().arguments().orElseThrow(() -> new IllegalStateException("cannot read the kube-apiserver's arguments"))));
    if (restarted != null) {
      restarted.destroyForcibly();
    } else {
      // through kube-api-test (SIGKILL), which then knows the stop was meant
      try {
        Object owner = field(server, "kubeApiServerProcess");
        owner.getClass().getMethod("stopApiServer").invoke(owner);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot stop kube-api-test's kube-apiserver", e);
      }
    }
    running.onExit().join();
    Thread.sleep(down.toMillis());
    restarted = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
    while (true) {
      try {
        if ("ok".equals(client.raw("/readyz"))) return;
      } catch (RuntimeException notYet) {
        // connection refused or not ready: keep waiting
      }
      if (!restarted.isAlive()) throw new IllegalStateException("the restarted kube-apiserver exited; see " + log);
      if (System.nanoTime() > deadline) throw new IllegalStateException("the restarted kube-apiserver is not ready after 90 s; see " + log);
      Thread.sleep(200);
    }
  }

  /** The kube-apiserver process kube-api-test started. */
  private ProcessHandle apiServerProcess() {
    try {
      return ((Process) field(field(server, "kubeApiServerProcess"), "apiServerProcess")).toHandle();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot find kube-api-test's kube-apiserver process", e);
    }
  }

  private static Object field(Object owner, String name) throws ReflectiveOperationException {
    var field = owner.getClass().getDeclaredField(name);
    field.setAccessible(true);
    return field.get(owner);
  }

  @Override
  public void close() {
    client.close();
    if (restarted != null) restarted.destroyForcibly();
    server.stop();
  }
}
