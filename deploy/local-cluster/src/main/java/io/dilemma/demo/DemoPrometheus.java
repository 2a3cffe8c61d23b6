package io.dilemma.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.dilemma.localcluster.Poll;
import io.dilemma.localcluster.prometheus.ChartScrapeConfig;
import io.dilemma.localcluster.prometheus.PodDiscoveryEndpoint;
import io.dilemma.localcluster.prometheus.PrometheusServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * A real Prometheus on loopback for the demo's duration, scraping the operator, the probers and
 * every shard-worker through the chart's documented scrape config (pod discovery served over HTTP,
 * since Debian's build has no Kubernetes discovery). The demo reads its completion histogram back
 * beside the client's own timings.
 */
final class DemoPrometheus implements AutoCloseable {
  private final PodDiscoveryEndpoint discovery;
  private final PrometheusServer server;

  private DemoPrometheus(PodDiscoveryEndpoint discovery, PrometheusServer server) {
    this.discovery = discovery;
    this.server = server;
  }

  static DemoPrometheus start(KubernetesClient client, Path chart, Path work) throws IOException, InterruptedException {
    Path binary = PrometheusServer.binary()
        .orElseThrow(() -> new IOException("no prometheus on PATH: apt-get install prometheus (deploy/local-cluster/prerequisites does)"));
    PodDiscoveryEndpoint discovery = new PodDiscoveryEndpoint(client);
    try {
      Path dir = Files.createDirectories(work.resolve("prometheus"));
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, ChartScrapeConfig.withHttpDiscovery(chart, discovery.url(), "2s"));
      return new DemoPrometheus(discovery, PrometheusServer.start(binary, config, dir));
    } catch (IOException | RuntimeException | InterruptedException e) {
      discovery.close();
      throw e;
    }
  }

  String url() {
    return server.url();
  }

  /**
   * The median and p90 of the completions the head recorded since {@code fromEpoch}, from the
   * {@code dilemma_completion_seconds} histogram, once {@code expected} of them have been scraped.
   */
  String completionQuantiles(String namespace, String deployment, double fromEpoch, int expected) throws InterruptedException {
    String selector = "{namespace=\"" + namespace + "\",deployment=\"" + deployment + "\"}";
    try {
      return Poll.until(Duration.ofSeconds(30), "the completions scraped", () -> {
        double now = System.currentTimeMillis() / 1e3;
        String window = Math.round((now - fromEpoch) * 1000) + "ms";
        double seen = scalar(server.query(increase("dilemma_completion_seconds_count", selector, window, ""), now));
        if (!(seen >= expected)) return null;
        String buckets = increase("dilemma_completion_seconds_bucket", selector, window, "le");
        return String.format(Locale.ROOT, "Prometheus (%s), histogram_quantile over those %.0f completions: p50 %.3f s, p90 %.3f s,"
                + " within the buckets' resolution (… 0.6, 0.8, 1, 1.5, 2 …)",
            server.url(), seen, scalar(server.query("histogram_quantile(0.5, " + buckets + ")", now)),
            scalar(server.query("histogram_quantile(0.9, " + buckets + ")", now)));
      });
    } catch (IllegalStateException e) {
      return "Prometheus: " + e.getMessage();
    }
  }

  /** Returns once Prometheus holds at least {@code count} completions of the deployment (or after 30 s). */
  void awaitCompletionsScraped(String namespace, String deployment, int count) throws InterruptedException {
    String selector = "{namespace=\"" + namespace + "\",deployment=\"" + deployment + "\"}";
    try {
      Poll.until(Duration.ofSeconds(30), "Prometheus scraping the head", () ->
          scalar(server.query("sum(dilemma_completion_seconds_count" + selector + ")", System.currentTimeMillis() / 1e3)) >= count
              ? Boolean.TRUE : null);
    } catch (IllegalStateException notScraped) {
      // the read-back will say so; the demo goes on
    }
  }

  /** What a counter gained over the window, summed over the heads of every plan (by {@code by}). */
  private static String increase(String series, String selector, String window, String by) {
    String sum = by.isEmpty() ? "sum" : "sum by (" + by + ")";
    return sum + " (" + series + selector + ") - " + sum + " (" + series + selector + " offset " + window + ")";
  }

  private static double scalar(JsonNode result) {
    return result == null || result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      discovery.close();
    }
  }
}
