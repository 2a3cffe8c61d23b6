package io.dilemma.prober.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.operator.observe.PrometheusLinkSource;
import io.dilemma.prober.core.Estimate;
import io.dilemma.prober.core.LinkMeasurement;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProbeMetricsTest {
  @Test
  void exposesTheIssuesSeriesWhichTheOperatorsDefaultQueriesRead() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    ProbeMetrics metrics = new ProbeMetrics(registry).forNode("n1");
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    metrics.link(new LinkMeasurement("n1", "n2", new Estimate(2.5e7, 2e7, 3e7, 3, now), new Estimate(0.004, 0.003, 0.005, 3, now)));
    metrics.compute(12.5e9, 3.2e9);
    metrics.availableShare(0.4);
    metrics.sent(1000);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString();
    assertThat(text)
        .contains("dilemma_link_bandwidth_bytes_per_second{from=\"n1\",to=\"n2\"} 2.5E7")
        .contains("dilemma_link_rtt_seconds{from=\"n1\",to=\"n2\"} 0.004")
        .contains("dilemma_node_gflops{node=\"n1\"} 12.5")
        .contains("dilemma_node_memory_bandwidth_bytes_per_second{node=\"n1\"} 3.2E9")
        .contains("dilemma_node_available_compute_ratio{node=\"n1\"} 0.4")
        .contains("dilemma_probe_sent_bytes_total{node=\"n1\"} 1000");
    assertThat(PrometheusLinkSource.DEFAULT_BANDWIDTH_QUERY).contains(ProbeMetrics.LINK_BANDWIDTH + ")").contains("* 8 / 1e6");
    assertThat(PrometheusLinkSource.DEFAULT_RTT_QUERY).contains(ProbeMetrics.LINK_RTT + ")").contains("* 1000");
  }
}
