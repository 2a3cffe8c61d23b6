package io.dilemma.observability;

import io.dilemma.localcluster.prometheus.GracefulStop;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real {@code dilemma-prober probe} process, from this test's classpath, against the test API
 * server. Light settings (small benchmarks, small transfers, a probe a second) keep it quick.
 */
final class ProberProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private ProberProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ProberProcess start(
      Path kubeconfig, String node, String namespace, Map<String, String> peerSelector, int probePort, int metricsPort, Path log)
      throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(
        // with this test's long classpath, ONNX Runtime's session creation overflows the default
        // 1 MiB main-thread stack (exit 139, no crash log), as LocalPipeline's workers would
        java, "-Xss16m", "-cp", System.getProperty("java.class.path"), "io.dilemma.prober.cli.ProberMain", "probe",
        "--node", node,
        "--namespace", namespace,
        "--peer-selector", peerSelector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")),
        "--port", Integer.toString(probePort),
        "--metrics-port", Integer.toString(metricsPort),
        "--probe-interval", "PT1S",
        "--matmul-size", "64",
        "--memory-bytes", Long.toString(16L << 20),
        "--echoes", "5",
        "--bulk-bytes", Long.toString(1L << 20),
        "--bulk-seconds", "0.5",
        // the shard-workers of this test are busy serving: probing must not wait for them
        "--shard-marker", "no-shard-process-matches-this"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    return new ProberProcess(builder.start(), log);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Why it is not alive, for a failure message. */
  String exit() {
    try {
      return process.isAlive() ? "running" : "exited with " + process.exitValue() + "; log " + log + ":\n" + java.nio.file.Files.readString(log);
    } catch (IOException e) {
      return "exited with " + process.exitValue() + "; no log: " + e;
    }
  }

  @Override
  public void close() {
    GracefulStop.stop(process);
  }
}
