package io.dilemma.worker.serving.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ShardPlan;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingMetricsTest {
  private static String text(ServingMetrics metrics) throws IOException {
    var out = new ByteArrayOutputStream();
    metrics.writeText(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ShardPlan plan(String namespace) {
    return new ShardPlan(
        1, "chat", namespace, "p1", 0, 2, "n0", new ShardPlan.ModelSource("m", "file:///m", null, null),
        0, 0, List.of(8), true, false, "n1:9090", null, null, true, new ShardPlan.ServingLimits(1 << 20, 60, 1000));
  }

  @Test
  void theHeadsSeriesCarryTheDeploymentsNamespaceAndNameFromThePlan() throws IOException {
    ServingMetrics metrics = ServingMetrics.of(plan("team-a"));
    metrics.completed(0.8, 12);
    metrics.firstToken(0.05);

    String text = text(metrics);
    assertThat(text)
        .contains("dilemma_completion_seconds_count{deployment=\"chat\",namespace=\"team-a\"} 1")
        .contains("dilemma_time_to_first_token_seconds_count{deployment=\"chat\",namespace=\"team-a\"} 1")
        .contains("dilemma_tokens_generated_total{deployment=\"chat\",namespace=\"team-a\"} 12.0");
  }

  @Test
  void theShardReportsItsOwnResidentMemoryAsTheStandardProcessSeries() throws IOException {
    var resident = java.util.regex.Pattern.compile("(?m)^process_resident_memory_bytes ([0-9.eE+]+)$").matcher(text(ServingMetrics.of(plan("team-a"))));
    assertThat(resident.find()).as("process_resident_memory_bytes on /metrics").isTrue();
    assertThat(Double.parseDouble(resident.group(1))).isGreaterThan(1 << 20);
  }

  @Test
  void aPlanWithoutANamespaceIsLabelledWithAnEmptyOneWhichPrometheusDrops() throws IOException {
    ServingMetrics metrics = ServingMetrics.of(plan(null));
    metrics.completed(0.8, 12);
    assertThat(text(metrics)).contains("dilemma_completion_seconds_count{deployment=\"chat\",namespace=\"\"} 1");
  }

  @Test
  void theKvCacheIsReportedBesideTheBoundThePlanReserved() throws IOException {
    ServingMetrics metrics = ServingMetrics.of(plan("team-a"));
    long[] held = {0};
    metrics.watchKvCache(() -> held[0], 1 << 20);
    held[0] = 4096;

    String text = text(metrics);
    assertThat(text)
        .contains("dilemma_kv_cache_bytes{deployment=\"chat\",namespace=\"team-a\",shard=\"0\"} 4096.0")
        .contains("dilemma_kv_cache_limit_bytes{deployment=\"chat\",namespace=\"team-a\",shard=\"0\"} 1048576.0");
  }

  /** A ±20% miss against the prediction must show in the quantile: no two bounds more than 1.5× apart. */
  @Test
  void completionBucketsAreFineEnoughToTellATwentyPercentMiss() {
    double[] bounds = ServingMetrics.COMPLETION_BUCKETS;
    for (int i = 1; i < bounds.length; i++) {
      assertThat(bounds[i] / bounds[i - 1]).as("%s / %s", bounds[i], bounds[i - 1]).isGreaterThan(1).isLessThanOrEqualTo(1.5);
    }
    assertThat(bounds[0]).isLessThanOrEqualTo(0.01);
    assertThat(bounds[bounds.length - 1]).isGreaterThanOrEqualTo(120);
  }

  @Test
  void aCompletionFallsIntoTheFineBuckets() throws IOException {
    ServingMetrics metrics = ServingMetrics.of(plan("team-a"));
    metrics.completed(0.7, 1);
    String text = text(metrics);
    assertThat(text).contains("dilemma_completion_seconds_bucket{deployment=\"chat\",namespace=\"team-a\",le=\"0.6\"} 0");
    assertThat(text).contains("dilemma_completion_seconds_bucket{deployment=\"chat\",namespace=\"team-a\",le=\"0.8\"} 1");
  }
}
