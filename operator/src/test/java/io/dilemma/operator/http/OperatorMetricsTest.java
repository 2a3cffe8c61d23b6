package io.dilemma.operator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.PlanStatus;
import io.dilemma.operator.Fixtures;
import io.dilemma.operator.plan.ReplanReason;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  @Test
  void aPlanPublishesItsPredictionAndTheBitsOfEveryLayerUnderTheDeploymentsNamespaceAndName() throws IOException {
    metrics.planned("team-a", "opt", Fixtures.plan("p1", 3));

    String text = scrape();
    assertThat(text).contains("dilemma_plan_predicted_completion_seconds{deployment=\"opt\",namespace=\"team-a\"} 2.5");
    // Fixtures.plan: shard i runs layers 2i and 2i+1 at 4 and 8 bits
    assertThat(text)
        .contains("dilemma_plan_layer_bits{deployment=\"opt\",layer=\"0\",namespace=\"team-a\"} 4.0")
        .contains("dilemma_plan_layer_bits{deployment=\"opt\",layer=\"1\",namespace=\"team-a\"} 8.0")
        .contains("dilemma_plan_layer_bits{deployment=\"opt\",layer=\"5\",namespace=\"team-a\"} 8.0");
    assertThat(lines(text, "dilemma_plan_layer_bits{")).hasSize(6);
  }

  @Test
  void aPlanWithFewerLayersDropsTheLayersItNoLongerHasAndLeavesOtherDeploymentsAlone() throws IOException {
    metrics.planned("team-a", "opt", Fixtures.plan("p1", 3));
    metrics.planned("team-b", "opt", Fixtures.plan("q1", 3));
    metrics.planned("team-a", "opt", Fixtures.plan("p2", 1));

    String text = scrape();
    assertThat(lines(text, "dilemma_plan_layer_bits{deployment=\"opt\",layer=")).hasSize(2 + 6);
    assertThat(text).doesNotContain("dilemma_plan_layer_bits{deployment=\"opt\",layer=\"2\",namespace=\"team-a\"}");
    assertThat(text).contains("dilemma_plan_layer_bits{deployment=\"opt\",layer=\"5\",namespace=\"team-b\"} 8.0");
  }

  @Test
  void everyReasonStartsAtZeroSoTheFirstReplanOfAReasonIsAnIncrease() throws IOException {
    metrics.replanned("team-a", "opt", ReplanReason.Initial);
    metrics.replanned("team-a", "opt", ReplanReason.Improvement);
    metrics.replanned("team-a", "opt", ReplanReason.Improvement);

    String text = scrape();
    assertThat(text)
        .contains("dilemma_replans_total{deployment=\"opt\",namespace=\"team-a\",reason=\"Initial\"} 1.0")
        .contains("dilemma_replans_total{deployment=\"opt\",namespace=\"team-a\",reason=\"Improvement\"} 2.0")
        .contains("dilemma_replans_total{deployment=\"opt\",namespace=\"team-a\",reason=\"SpecChanged\"} 0.0")
        .contains("dilemma_replans_total{deployment=\"opt\",namespace=\"team-a\",reason=\"PlanInfeasible\"} 0.0");
  }

  @Test
  void aDeletedDeploymentLeavesNoSeriesBehind() throws IOException {
    PlanStatus plan = Fixtures.plan("p1", 2);
    metrics.planned("team-a", "opt", plan);
    metrics.replanned("team-a", "opt", ReplanReason.Initial);
    metrics.planned("team-a", "other", plan);

    metrics.forget("team-a", "opt");

    String text = scrape();
    assertThat(text).doesNotContain("deployment=\"opt\"");
    assertThat(text).contains("dilemma_plan_predicted_completion_seconds{deployment=\"other\",namespace=\"team-a\"}");
  }

  private String scrape() throws IOException {
    var out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static List<String> lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).toList();
  }
}
