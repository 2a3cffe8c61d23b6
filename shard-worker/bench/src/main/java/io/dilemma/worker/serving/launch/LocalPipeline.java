package io.dilemma.worker.serving.launch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.contract.ShardPlan;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pipeline of real {@code shard-worker serve} processes on loopback, one per shard, splitting a
 * model's layers evenly. Used by {@code bench pipeline} and the integration tests.
 */
public final class LocalPipeline implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(90);
  private static final Duration COMPLETION = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param layers the model's decoder layers
   * @param layerBits weight bits of every layer
   * @param cut activation quantization at every cut
   * @param limits serving limits of every shard
   */
  public record Layout(int shards, int layers, int layerBits, CutQuantization cut, boolean keepTokensOnOrigin, ServingLimits limits) {}

  /** The LLMDeployment the shards serve as: the namespace and deployment labels of their metrics. */
  public record Owner(String namespace, String deployment) {
    /** No namespace: processes outside Kubernetes. */
    public static Owner local() {
      return new Owner(null, "local");
    }
  }

  private final Path workDir;
  private final List<ShardPlan> plans;
  private final int[] httpPorts;
  private final int[] grpcPorts;
  private final Process[] processes;
  private final List<String> jvmOptions;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Thread reaper = new Thread(this::close, "local-pipeline-reaper");

  private LocalPipeline(Path workDir, List<ShardPlan> plans, int[] httpPorts, int[] grpcPorts, List<String> jvmOptions) {
    this.workDir = workDir;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.plans = plans;
    this.httpPorts = httpPorts;
    this.grpcPorts = grpcPorts;
    this.processes = new Process[plans.size()];
    // an interrupted benchmark must not leave shard processes behind
    Runtime.getRuntime().addShutdownHook(reaper);
  }

  /** Writes the shard plans into {@code workDir}, starts every shard and waits until the head is ready. */
  public static LocalPipeline launch(Path modelDir, Layout layout, Path workDir) throws IOException, InterruptedException {
    return launch(modelDir, layout, workDir, List.of(), Owner.local());
  }

  /** As {@link #launch(Path, Layout, Path)}, each shard JVM started with {@code jvmOptions} too (e.g. {@code -Xmx256m}). */
  public static LocalPipeline launch(Path modelDir, Layout layout, Path workDir, List<String> jvmOptions)
      throws IOException, InterruptedException {
    return launch(modelDir, layout, workDir, jvmOptions, Owner.local());
  }

  /** As {@link #launch(Path, Layout, Path)}, the shards serving as {@code owner}. */
  public static LocalPipeline launch(Path modelDir, Layout layout, Path workDir, Owner owner)
      throws IOException, InterruptedException {
    return launch(modelDir, layout, workDir, List.of(), owner);
  }

  /** As {@link #launch(Path, Layout, Path)}, with JVM options and the owner the shards serve as. */
  public static LocalPipeline launch(Path modelDir, Layout layout, Path workDir, List<String> jvmOptions, Owner owner)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    int n = layout.shards();
    int[] httpPorts = new int[n];
    int[] grpcPorts = new int[n];
    for (int i = 0; i < n; i++) {
      httpPorts[i] = freePort();
      grpcPorts[i] = freePort();
    }
    String planId = "local-" + Long.toHexString(System.nanoTime());
    List<ShardPlan> plans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int first = i * layout.layers() / n;
      int last = (i + 1) * layout.layers() / n - 1;
      boolean lmHead = i == n - 1;
      plans.add(
          new ShardPlan(
              ShardPlan.SCHEMA_VERSION,
              owner.deployment(),
              owner.namespace(),
              planId,
              i,
              n,
              "localhost",
              new ModelSource("model", modelDir.toUri().toString(), null, null),
              first,
              last,
              java.util.Collections.nCopies(last - first + 1, layout.layerBits()),
              i == 0,
              lmHead,
              lmHead ? null : "127.0.0.1:" + grpcPorts[i + 1],
              "127.0.0.1:" + httpPorts[0],
              lmHead ? null : layout.cut(),
              layout.keepTokensOnOrigin(),
              layout.limits()));
    }
    LocalPipeline pipeline = new LocalPipeline(workDir, plans, httpPorts, grpcPorts, jvmOptions);
    try {
      for (int i = n - 1; i >= 0; i--) {
        pipeline.start(i);
      }
      pipeline.awaitReady(STARTUP);
    } catch (IOException | InterruptedException | RuntimeException e) {
      pipeline.close();
      throw e;
    }
    return pipeline;
  }

  public URI headUrl(String path) {
    return URI.create("http://127.0.0.1:" + httpPorts[0] + path);
  }

  public URI shardUrl(int shard, String path) {
    return URI.create("http://127.0.0.1:" + httpPorts[shard] + path);
  }

  /** A greedy {@code POST /v1/completions} of {@code maxTokens} after {@code prompt}; its JSON body. */
  public JsonNode complete(long[] prompt, int maxTokens) throws IOException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    Arrays.stream(prompt).forEach(body.putArray("prompt")::add);
    body.put("max_tokens", maxTokens);
    body.put("temperature", 0);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(headUrl("/v1/completions"))
                .timeout(COMPLETION)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("completion failed: HTTP " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  public ShardPlan plan(int shard) {
    return plans.get(shard);
  }

  public Path log(int shard) {
    return workDir.resolve("shard-" + shard + ".log");
  }

  /** The operating-system process id of a shard, e.g. to freeze it with SIGSTOP as a hung node. */
  public long pid(int shard) {
    return processes[shard].pid();
  }

  /**
   * Why a shard's process is gone, in one line: its exit code, the last lines of its log and, when
   * the JVM itself crashed, the first lines of its crash report; empty while it runs. A harness
   * that finds a shard gone says this rather than failing later on the missing process.
   */
  public java.util.Optional<String> exited(int shard) {
    Process process = processes[shard];
    if (process == null || process.isAlive()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(exitOf(shard));
  }

  private String exitOf(int shard) {
    Process process = processes[shard];
    int code = process.exitValue();
    // 3: -XX:+ExitOnOutOfMemoryError; 128 + n: killed by signal n (9: SIGKILL, e.g. the kernel's OOM killer)
    String crash = crashReport(shard, process.pid());
    return "shard " + shard + " (pid " + process.pid() + ") exited with " + code + ": " + tail(log(shard)) + crash;
  }

  private Path crashFile(int shard) {
    return workDir.resolve("hs_err-shard-" + shard + "-%p.log");
  }

  private String crashReport(int shard, long pid) {
    Path file = workDir.resolve("hs_err-shard-" + shard + "-" + pid + ".log");
    if (!Files.exists(file)) {
      return "";
    }
    try (java.util.stream.Stream<String> lines = Files.lines(file)) {
      return " | JVM crash report " + file + ": " + String.join(" | ", lines.filter(l -> !l.isBlank() && !l.startsWith("#  ")).limit(8).toList());
    } catch (IOException | java.io.UncheckedIOException e) {
      return " | JVM crash report " + file + " unreadable: " + e.getMessage();
    }
  }

  /** Kills a shard's process the hard way, as a crashed node would. */
  public void kill(int shard) throws InterruptedException {
    Process process = processes[shard];
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** Starts a shard again on the same ports and waits until it answers. */
  public void restart(int shard) throws IOException, InterruptedException {
    kill(shard);
    start(shard);
    awaitReady(STARTUP);
  }

  /** Waits until the head reports the whole chain ready. */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < processes.length; i++) {
        if (processes[i] != null && !processes[i].isAlive()) {
          throw new IOException(exitOf(i));
        }
      }
      try {
        HttpResponse<String> response =
            http.send(HttpRequest.newBuilder(headUrl("/readyz")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = response.body();
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(100);
    }
    throw new IOException("pipeline not ready after " + timeout.toSeconds() + " s: " + last);
  }

  @Override
  public void close() {
    if (Thread.currentThread() != reaper) {
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to; closing twice is harmless
      }
    }
    for (Process process : processes) {
      if (process != null) {
        process.destroyForcibly();
      }
    }
    for (Process process : processes) {
      if (process != null) {
        try {
          process.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void start(int shard) throws IOException {
    Path planFile = workDir.resolve("shard-" + shard + ".json");
    Files.writeString(planFile, ContractJson.write(plans.get(shard)));
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xss16m", "-XX:ErrorFile=" + crashFile(shard)));
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.dilemma.worker.cli.ShardWorkerCli",
            "serve",
            "--plan",
            planFile.toString(),
            "--bind",
            "127.0.0.1",
            "--grpc-port",
            Integer.toString(grpcPorts[shard]),
            "--http-port",
            Integer.toString(httpPorts[shard])));
    processes[shard] =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log(shard).toFile()))
            .start();
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
