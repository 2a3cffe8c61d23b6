package io.dilemma.operator.observe;

import io.dilemma.api.EdgeLink;
import io.dilemma.planner.Link;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One EdgeLink as the planner will see it. A measurement older than the TTL is not trusted: the
 * link keeps existing but with conservative figures, so the planner avoids leaning on it without
 * pretending the nodes are disconnected.
 *
 * @param link the figures handed to the planner
 * @param stale the measurement was too old and the conservative default replaced it
 * @param name the EdgeLink's name, for messages
 * @param measuredBy who measured the figures the spec holds (never {@link LinkSource#STALE_DEFAULT})
 */
public record LinkReading(Link link, boolean stale, String name, LinkSource measuredBy) {

  /** Where the figures handed to the planner come from: the stale defaults replace a measurement. */
  public LinkSource source() {
    return stale ? LinkSource.STALE_DEFAULT : measuredBy;
  }

  /** The EdgeLink object the figures came from, or null when they came from Prometheus. */
  public String edgeLink() {
    return measuredBy == LinkSource.PROMETHEUS ? null : name;
  }

  /**
   * @param ttl how long a measurement stays valid
   * @param fallback bandwidth (bytes/s) and one-way latency (s) used for a stale link
   */
  public record Freshness(Duration ttl, double fallbackBandwidth, double fallbackLatencySeconds) {
    public static Freshness defaults() {
      return new Freshness(Duration.ofMinutes(10), 1e6 / 8, 0.05);
    }
  }

  public static LinkReading of(EdgeLink edgeLink, Freshness freshness, Instant now) {
    var spec = edgeLink.getSpec();
    Instant observed = observedAt(edgeLink);
    boolean stale = observed == null || observed.plus(freshness.ttl()).isBefore(now);
    Link link =
        stale
            ? new Link(
                spec.from(),
                spec.to(),
                Math.min(freshness.fallbackBandwidth(), spec.bandwidthBytesPerSecond()),
                Math.max(freshness.fallbackLatencySeconds(), spec.oneWayLatencySeconds()))
            : new Link(spec.from(), spec.to(), spec.bandwidthBytesPerSecond(), spec.oneWayLatencySeconds());
    var status = edgeLink.getStatus();
    LinkSource measuredBy = LinkSource.measuredBy(status == null ? null : status.source());
    return new LinkReading(link, stale, edgeLink.getMetadata().getName(), measuredBy);
  }

  /** When the current measurement goes stale, so the reconciler can look again at that moment. */
  public static Instant expiresAt(EdgeLink edgeLink, Freshness freshness) {
    Instant observed = observedAt(edgeLink);
    return observed == null ? Instant.MIN : observed.plus(freshness.ttl());
  }

  /**
   * The status stamp, or else the creation time: creating an EdgeLink is itself a measurement, and
   * the stamp may lag the creation by one EdgeLink reconcile.
   */
  private static Instant observedAt(EdgeLink edgeLink) {
    var status = edgeLink.getStatus();
    String text =
        status != null && status.observedAt() != null
            ? status.observedAt()
            : edgeLink.getMetadata().getCreationTimestamp();
    if (text == null) return null;
    try {
      return ApiTimestamp.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
