package io.dilemma.operator.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.EdgeLinkStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Link measurements from a Prometheus HTTP API instead of EdgeLink objects: two instant queries,
 * one for bandwidth (Mbit/s) and one for RTT (ms), whose series carry {@code from} and {@code to}
 * labels naming nodes. Each direction measured by both becomes an EdgeLink-shaped reading with the
 * sample time as {@code observedAt}, so staleness works the same way.
 */
public final class PrometheusLinkSource {
  /**
   * The prober's series ({@code shard-worker/prober}), converted to the units EdgeLinks use. Only
   * the prober on {@code from} reports a direction, but a restarted prober pod leaves its old
   * series behind until they go stale, and the scrape adds pod and instance labels; {@code max by}
   * keeps one series per direction with only the {@code from} and {@code to} labels.
   */
  public static final String DEFAULT_BANDWIDTH_QUERY =
      "max by (from, to) (dilemma_link_bandwidth_bytes_per_second) * 8 / 1e6";

  public static final String DEFAULT_RTT_QUERY = "max by (from, to) (dilemma_link_rtt_seconds) * 1000";

  /**
   * @param url Prometheus base URL, e.g. {@code http://prometheus.monitoring:9090}
   * @param bandwidthQuery PromQL giving Mbit/s per {@code from},{@code to}
   * @param rttQuery PromQL giving milliseconds per {@code from},{@code to}
   */
  public record Config(URI url, String bandwidthQuery, String rttQuery) {}

  /** Thrown when Prometheus cannot be asked or answers something else than a vector. */
  public static final class UnavailableException extends Exception {
    public UnavailableException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Config config;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public PrometheusLinkSource(Config config) {
    this.config = config;
  }

  public List<EdgeLink> links() throws UnavailableException {
    Map<String, Sample> bandwidth = query(config.bandwidthQuery());
    Map<String, Sample> rtt = query(config.rttQuery());
    List<EdgeLink> links = new ArrayList<>();
    bandwidth.forEach(
        (hop, bw) -> {
          Sample r = rtt.get(hop);
          if (r == null || !(bw.value() > 0) || r.value() < 0) return;
          EdgeLink link = new EdgeLink();
          link.setMetadata(new ObjectMetaBuilder().withName(bw.from() + "--" + bw.to()).build());
          link.setSpec(new EdgeLinkSpec(bw.from(), bw.to(), bw.value(), r.value()));
          Instant observed = bw.at().isBefore(r.at()) ? bw.at() : r.at();
          link.setStatus(new EdgeLinkStatus(observed.toString(), EdgeLinkStatus.SOURCE_PROMETHEUS, null));
          links.add(link);
        });
    return links;
  }

  private record Sample(String from, String to, double value, Instant at) {}

  private Map<String, Sample> query(String promql) throws UnavailableException {
    URI uri =
        URI.create(
            config.url().toString().replaceAll("/+$", "")
                + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body;
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new UnavailableException(uri + " answered HTTP " + response.statusCode());
      }
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UnavailableException("cannot query " + uri + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while querying " + uri);
    }
    if (!"success".equals(body.path("status").asText())
        || !"vector".equals(body.path("data").path("resultType").asText())) {
      throw new UnavailableException("'" + promql + "' did not return an instant vector");
    }
    Map<String, Sample> samples = new HashMap<>();
    for (JsonNode series : body.path("data").path("result")) {
      String from = series.path("metric").path("from").asText(null);
      String to = series.path("metric").path("to").asText(null);
      JsonNode value = series.path("value");
      if (from == null || to == null || value.size() != 2) continue;
      double v;
      try {
        v = Double.parseDouble(value.get(1).asText());
      } catch (NumberFormatException e) {
        continue;
      }
      Instant at = Instant.ofEpochMilli(Math.round(value.get(0).asDouble() * 1000));
      samples.put(from + "->" + to, new Sample(from, to, v, at));
    }
    return samples;
  }

  /** EdgeLinks, with each direction Prometheus measures replaced by its measurement. */
  public static List<EdgeLink> merge(List<EdgeLink> edgeLinks, List<EdgeLink> measured) {
    Map<String, EdgeLink> byHop = new java.util.LinkedHashMap<>();
    for (EdgeLink l : edgeLinks) byHop.put(l.getSpec().from() + "->" + l.getSpec().to(), l);
    for (EdgeLink l : measured) byHop.put(l.getSpec().from() + "->" + l.getSpec().to(), l);
    return List.copyOf(byHop.values());
  }
}
