package io.dilemma.demo;

import io.dilemma.localcluster.EdgeTopology;
import java.util.Locale;

/** The plan's slowest activation hop ten times slower, by the cluster script's HTB shaping. */
final class LinkThrottle implements Fault {
  private final EdgeTopology edge;
  private final ServingWatch watch;
  private final String from;
  private final String to;
  private final double rateMbps;
  private final double measuredBefore;

  LinkThrottle(EdgeTopology edge, ServingWatch watch, String from, String to) {
    this.edge = edge;
    this.watch = watch;
    this.from = from;
    this.to = to;
    this.rateMbps = EdgeTopology.rateMbps(from, to);
    this.measuredBefore = watch.measuredMbps(link());
  }

  private String link() {
    return from + "--" + to;
  }

  @Override
  public String describe() {
    return String.format(Locale.ROOT, "link %s throttled from %.0f to %.1f Mbit/s (the probers measured %.1f)",
        link(), rateMbps, rateMbps / 10, measuredBefore);
  }

  @Override
  public void inflict() throws Exception {
    edge.setRate(from, to, rateMbps / 10);
  }

  @Override
  public String detected() {
    double now = watch.measuredMbps(link());
    return now < measuredBefore / 3 ? String.format(Locale.ROOT, "EdgeLink %s measured at %.1f Mbit/s", link(), now) : null;
  }
}
