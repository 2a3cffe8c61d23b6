package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.PlanLinkStatus;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LinkSourceTest {
  /** The CRD lists these values; a source it does not know would be refused by the API server. */
  @Test
  void everySourceTheOperatorWritesIsOneTheCrdDocuments() {
    assertThat(Arrays.stream(LinkSource.values()).map(LinkSource::wireName).toList())
        .containsExactlyElementsOf(PlanLinkStatus.SOURCES);
  }

  @Test
  void theEdgeLinksStatusSourceSaysWhoMeasured() {
    assertThat(LinkSource.measuredBy("probe")).isEqualTo(LinkSource.PROBE);
    assertThat(LinkSource.measuredBy("iperf-cron")).as("another measuring tool").isEqualTo(LinkSource.PROBE);
    assertThat(LinkSource.measuredBy("prometheus")).isEqualTo(LinkSource.PROMETHEUS);
    assertThat(LinkSource.measuredBy("spec")).isEqualTo(LinkSource.MANUAL);
    assertThat(LinkSource.measuredBy(null)).as("not stamped yet").isEqualTo(LinkSource.MANUAL);
  }
}
