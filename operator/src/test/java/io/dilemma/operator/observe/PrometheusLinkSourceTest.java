package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dilemma.api.EdgeLink;
import io.dilemma.operator.Fixtures;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Against a small HTTP server that answers like Prometheus' /api/v1/query. */
class PrometheusLinkSourceTest {
  private HttpServer server;

  private URI serve(Map<String, String> answers) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/query", exchange -> {
      String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery().substring("query=".length()), StandardCharsets.UTF_8);
      String body = answers.getOrDefault(query, "{\"status\":\"error\"}");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) server.stop(0);
  }

  private static String vector(String... series) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + String.join(",", series) + "]}}";
  }

  private static String series(String from, String to, double at, String value) {
    return "{\"metric\":{\"from\":\"" + from + "\",\"to\":\"" + to + "\"},\"value\":[" + at + ",\"" + value + "\"]}";
  }

  @Test
  void eachDirectionWithBandwidthAndRttBecomesAStampedLink() throws Exception {
    URI url = serve(Map.of(
        "bw", vector(series("a", "b", 1700000000.5, "80"), series("b", "a", 1700000000, "40"), series("a", "c", 1700000000, "NaN")),
        "rtt", vector(series("a", "b", 1700000001, "4"), series("b", "a", 1700000000, "6"))));
    List<EdgeLink> links = new PrometheusLinkSource(new PrometheusLinkSource.Config(url, "bw", "rtt")).links();
    assertThat(links).hasSize(2);
    EdgeLink ab = links.stream().filter(l -> l.getSpec().from().equals("a")).findFirst().orElseThrow();
    assertThat(ab.getSpec().bandwidthMbps()).isEqualTo(80);
    assertThat(ab.getSpec().rttMillis()).isEqualTo(4);
    assertThat(ab.getStatus().source()).isEqualTo("prometheus");
    assertThat(ab.getStatus().observedAt()).as("the older of the two samples").isEqualTo(Instant.ofEpochMilli(1700000000500L).toString());
  }

  @Test
  void measurementsReplaceEdgeLinksOnlyForTheDirectionsTheyCover() throws Exception {
    URI url = serve(Map.of("bw", vector(series("a", "b", 1700000000, "5")), "rtt", vector(series("a", "b", 1700000000, "9"))));
    var measured = new PrometheusLinkSource(new PrometheusLinkSource.Config(url, "bw", "rtt")).links();
    var edgeLinks = Fixtures.mesh(List.of("a", "b"), 100, 2, Instant.parse("2026-01-01T00:00:00Z"));
    List<EdgeLink> merged = PrometheusLinkSource.merge(edgeLinks, measured);
    assertThat(merged).hasSize(2);
    assertThat(merged).filteredOn(l -> l.getSpec().from().equals("a")).singleElement()
        .satisfies(l -> assertThat(l.getSpec().bandwidthMbps()).isEqualTo(5));
    assertThat(merged).filteredOn(l -> l.getSpec().from().equals("b")).singleElement()
        .satisfies(l -> assertThat(l.getSpec().bandwidthMbps()).isEqualTo(100));
  }

  @Test
  void aFailedQueryNamesTheQuery() throws Exception {
    URI url = serve(Map.of("bw", vector()));
    assertThatThrownBy(() -> new PrometheusLinkSource(new PrometheusLinkSource.Config(url, "bw", "rtt")).links())
        .isInstanceOf(PrometheusLinkSource.UnavailableException.class)
        .hasMessage("'rtt' did not return an instant vector");
  }
}
