package io.dilemma.localcluster.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Debian's prometheus binary, run on loopback with a given config, and its HTTP API
 * (/api/v1/query, /api/v1/label/.../values, /api/v1/targets).
 */
public final class PrometheusServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The prometheus binary on PATH, as Debian's package installs it. */
  public static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir, "prometheus");
      if (Files.isExecutable(candidate)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  public static PrometheusServer start(Path binary, Path config, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path log = dir.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    PrometheusServer server = new PrometheusServer(process, port, log);
    try {
      server.awaitReady();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IOException("prometheus exited with " + process.exitValue() + ": " + Files.readString(log));
      try {
        if (get("/-/ready").statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IOException("prometheus not ready after " + STARTUP.toSeconds() + " s: " + Files.readString(log));
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The result of an instant query at {@code epochSeconds}: an array of {metric, value}. */
  public JsonNode query(String promql, double epochSeconds) throws IOException, InterruptedException {
    return api("/api/v1/query?query=" + encode(promql) + "&time=" + String.format(Locale.ROOT, "%.3f", epochSeconds))
        .get("result");
  }

  /** The values of {@code label} over the series matching {@code selector}, as Grafana's label_values(). */
  public List<String> labelValues(String label, String selector) throws IOException, InterruptedException {
    List<String> values = new ArrayList<>();
    api("/api/v1/label/" + label + "/values?match[]=" + encode(selector)).forEach(v -> values.add(v.asText()));
    return values;
  }

  public JsonNode activeTargets() throws IOException, InterruptedException {
    return api("/api/v1/targets?state=active").get("activeTargets");
  }

  private JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = get(pathAndQuery);
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new IOException("prometheus " + pathAndQuery + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return body.get("data");
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    GracefulStop.stop(process);
  }
}
