package io.dilemma.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How Prometheus and Grafana find Dilemma: the pod annotations, the documented scrape config, the
 * Prometheus Operator monitors and the dashboard ConfigMap. The PromQL of the dashboard runs
 * against a real Prometheus in deploy/observability (PrometheusIT).
 */
class MetricsChartTest {
  private static final Path DASHBOARD = RenderedChart.CHART.resolve("dashboards/dilemma.json");
  private static final Path SCRAPE_CONFIG = RenderedChart.CHART.resolve("prometheus/scrape-config.yaml");

  @Test
  void theDashboardIsAConfigMapForTheGrafanaSidecarHoldingTheChartsJsonFile() throws IOException {
    JsonNode configMap = RenderedChart.of(t -> t).named("ConfigMap", "dilemma-dashboard");
    assertThat(configMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(configMap.at("/metadata/namespace").asText()).isEqualTo("edge-system");
    JsonNode shipped = RenderedChart.JSON.readTree(configMap.at("/data/dilemma.json").asText());
    assertThat(shipped).isEqualTo(RenderedChart.JSON.readTree(DASHBOARD.toFile()));
  }

  @Test
  void theDashboardCanBeTurnedOffOrSentWhereTheSidecarLooks() throws IOException {
    assertThat(RenderedChart.of(t -> t.set("metrics.grafanaDashboard.enabled", false)).all("ConfigMap")).isEmpty();
    JsonNode moved = RenderedChart.of(t -> t.set("metrics.grafanaDashboard.namespace", "monitoring")
        .set("metrics.grafanaDashboard.annotations.grafana_folder", "Dilemma")).named("ConfigMap", "dilemma-dashboard");
    assertThat(moved.at("/metadata/namespace").asText()).isEqualTo("monitoring");
    assertThat(moved.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Dilemma");
  }

  @Test
  void theDashboardHasEveryPanelTheIssueAsksForEachWithAQuery() throws IOException {
    JsonNode dashboard = RenderedChart.JSON.readTree(DASHBOARD.toFile());
    List<String> titles = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      titles.add(panel.get("title").asText());
      assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
      panel.get("targets").forEach(t -> assertThat(t.path("expr").asText()).as(panel.get("title").asText()).isNotBlank());
    }
    assertThat(titles).containsExactly(
        "Completion time: predicted vs measured", "Time to first token", "Tokens/s", "Link bandwidth", "Link RTT",
        "Bits per layer: $deployment", "Replans by reason", "KV-cache memory");
    JsonNode heatmap = dashboard.at("/panels/5");
    assertThat(heatmap.get("type").asText()).isEqualTo("heatmap");
  }

  @Test
  void theOperatorAndProberPodsCarryTheAnnotationsTheScrapeConfigKeeps() throws IOException {
    RenderedChart chart = RenderedChart.of(t -> t.set("prober.enabled", true));
    JsonNode operator = chart.only("Deployment").at("/spec/template");
    JsonNode prober = chart.only("DaemonSet").at("/spec/template");
    assertAnnotatedForScraping(operator, "http");
    assertAnnotatedForScraping(prober, "metrics");
    // the scrape config keeps pods by the chart's name label
    assertThat(operator.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("dilemma");
    assertThat(prober.at("/metadata/labels/app.kubernetes.io~1name").asText()).isEqualTo("dilemma");
  }

  private static void assertAnnotatedForScraping(JsonNode template, String portName) {
    JsonNode annotations = template.at("/metadata/annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    int port = annotations.path("prometheus.io/port").asInt();
    List<Integer> named = new ArrayList<>();
    template.at("/spec/containers/0/ports").forEach(p -> {
      if (p.path("name").asText().equals(portName)) named.add(p.path("containerPort").asInt());
    });
    assertThat(named).as("container port %s", portName).containsExactly(port);
  }

  @Test
  void theScrapeConfigKeepsDilemmasAnnotatedPodsAndNeverOverwritesTheirNamespaceLabel() throws IOException {
    JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(SCRAPE_CONFIG));
    JsonNode job = config.at("/scrape_configs/0");
    assertThat(job.at("/kubernetes_sd_configs/0/role").asText()).isEqualTo("pod");
    List<String> targets = new ArrayList<>();
    job.get("relabel_configs").forEach(r -> targets.add(r.path("target_label").asText()));
    assertThat(targets).contains("__address__", "__metrics_path__", "kubernetes_namespace", "kubernetes_pod")
        .doesNotContain("namespace", "deployment");
    JsonNode keep = job.at("/relabel_configs/0");
    assertThat(keep.get("action").asText()).isEqualTo("keep");
    assertThat(keep.get("regex").asText()).isEqualTo("(dilemma|shard-worker);true");
  }

  @Test
  void prometheusOperatorMonitorsCoverOperatorShardWorkersAndProberHonouringTheirLabels() throws IOException {
    assertThat(RenderedChart.of(t -> t).all("PodMonitor")).isEmpty();
    RenderedChart chart = RenderedChart.of(t -> t.set("metrics.serviceMonitor.enabled", true).set("prober.enabled", true));
    assertThat(chart.only("ServiceMonitor").at("/spec/endpoints/0/honorLabels").asBoolean()).isTrue();
    JsonNode workers = chart.named("PodMonitor", "dilemma-shard-workers");
    assertThat(workers.at("/spec/selector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("shard-worker");
    assertThat(workers.at("/spec/namespaceSelector/any").asBoolean()).isTrue();
    assertThat(workers.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("http");
    assertThat(workers.at("/spec/podMetricsEndpoints/0/honorLabels").asBoolean()).isTrue();
    JsonNode prober = chart.named("PodMonitor", "dilemma-prober");
    assertThat(prober.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("metrics");

    JsonNode watched = RenderedChart.of(t -> t.set("metrics.serviceMonitor.enabled", true)
        .set("operator.watchNamespaces[0]", "team-a")).named("PodMonitor", "dilemma-shard-workers");
    assertThat(watched.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo("team-a");
    assertThat(watched.at("/spec/namespaceSelector/any").isMissingNode()).isTrue();
  }
}
