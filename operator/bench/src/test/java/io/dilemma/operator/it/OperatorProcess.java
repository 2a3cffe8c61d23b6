package io.dilemma.operator.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code dilemma operator} in a JVM of its own, as the chart runs it: leader election on the
 * Lease in the release namespace, the chart's ServiceAccount, health on a loopback port. Killed
 * with SIGKILL, as a node losing power or the OOM killer would.
 */
final class OperatorProcess implements AutoCloseable {
  final String name;
  final Process process;
  final int httpPort;
  final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private OperatorProcess(String name, Process process, int httpPort, Path log) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** {@code name} is the replica's Lease identity (POD_NAME), as the Downward API gives it in the chart. */
  static OperatorProcess start(KubeTestEnvironment env, String name, long shardOverheadBytes) throws IOException {
    int port;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path log = Path.of("target", "it-operator-" + name + ".log").toAbsolutePath();
    Files.createDirectories(log.getParent());
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m",
        "-cp", System.getProperty("java.class.path"),
        "io.dilemma.cli.DilemmaCli", "operator",
        "--kubeconfig", env.operatorKubeconfig().toString(),
        "--leader-election-namespace", ChartRbac.NAMESPACE,
        "--bind-address", "127.0.0.1",
        "--http-port", Integer.toString(port),
        "--threads", "2",
        "--shard-overhead", Long.toString(shardOverheadBytes));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("POD_NAME", name);
    return new OperatorProcess(name, builder.start(), port, log);
  }

  /** GET on the operator's health port; -1 when it does not answer. */
  int get(String path) {
    try {
      var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(2)).build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  boolean leading() {
    return get("/leader") == 200;
  }

  /** SIGKILL: no shutdown hook runs, the Lease is not released, writes in flight stop where they are. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }
}
