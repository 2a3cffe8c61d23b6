package io.dilemma.operator.observe;

import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.api.PlanLinkStatus;

/**
 * Where the figures the planner gets for a link came from. The wire names are those of
 * {@link PlanLinkStatus#SOURCES}.
 */
public enum LinkSource {
  /** The prober DaemonSet, or another tool that writes its own name into the EdgeLink's status. */
  PROBE("probe"),
  /** The operator's Prometheus link source. */
  PROMETHEUS("prometheus"),
  /** A person (or a tool that does not say) wrote the EdgeLink's spec; the operator stamped it. */
  MANUAL("manual"),
  /** The measurement was older than the TTL, or there is none: the conservative defaults stand in. */
  STALE_DEFAULT("stale-default");

  private final String wireName;

  LinkSource(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Who measured an EdgeLink, from its {@code status.source}; null means nobody said. */
  static LinkSource measuredBy(String statusSource) {
    if (statusSource == null || EdgeLinkStatus.SOURCE_SPEC.equals(statusSource)) return MANUAL;
    if (EdgeLinkStatus.SOURCE_PROMETHEUS.equals(statusSource)) return PROMETHEUS;
    return PROBE;
  }
}
