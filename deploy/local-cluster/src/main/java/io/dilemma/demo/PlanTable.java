package io.dilemma.demo;

import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import java.util.List;
import java.util.Locale;

/** A plan as the demo prints it: the same columns as {@code dilemma plan}, from the status. */
public final class PlanTable {
  private PlanTable() {}

  static String render(PlanStatus plan, List<PlanLinkStatus> links) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "  plan %s: %d shard(s), quality used %.4f, weights keep %.1f%% of their 16-bit bits%n",
        plan.planId(), plan.shards().size(), plan.qualityUsed(), 100 * plan.quantizationRatio()));
    b.append("  shard  node               layers  bits        rho out  memory     decode/token\n");
    for (PlanStatus.ShardStatus s : plan.shards()) {
      b.append(String.format(Locale.ROOT, "  %-6d %-18s %-7s %-11s %-8s %-10s %.2f ms%n", s.index(), s.node(),
          s.layers(), s.bitRuns(), s.outgoingRho() == null ? "-" : String.format(Locale.ROOT, "%.2f", s.outgoingRho()),
          String.format(Locale.ROOT, "%.1f MiB", s.memoryBytes() / 1048576.0), 1e3 * s.decodeSecondsPerToken()));
    }
    for (PlanLinkStatus l : links) {
      b.append(String.format(Locale.ROOT, "  hop %s -> %s priced at %s Mbit/s, RTT %s ms%n", l.from(), l.to(), l.bandwidthMbps(), l.rttMillis()));
    }
    var p = plan.predicted();
    b.append(String.format(Locale.ROOT,
        "  predicted T_total %.3f s = prefill %.3f s (compute %.3f, transfer %.3f, latency %.3f) + decode %.3f s (compute %.3f, transfer %.3f, latency %.3f)%n",
        p.totalSeconds(), p.prefillComputeSeconds() + p.prefillTransferSeconds() + p.prefillLatencySeconds(),
        p.prefillComputeSeconds(), p.prefillTransferSeconds(), p.prefillLatencySeconds(),
        p.decodeComputeSeconds() + p.decodeTransferSeconds() + p.decodeLatencySeconds(),
        p.decodeComputeSeconds(), p.decodeTransferSeconds(), p.decodeLatencySeconds()));
    return b.toString();
  }

  /** The chain on one line: node first-last @bits, head first. */
  public static String layout(PlanStatus plan) {
    StringBuilder b = new StringBuilder();
    for (PlanStatus.ShardStatus s : plan.shards()) {
      if (b.length() > 0) b.append(" | ");
      b.append(s.node()).append(' ').append(s.firstLayer()).append('-').append(s.lastLayer()).append(" @").append(s.bitRuns());
    }
    return b.toString();
  }
}
