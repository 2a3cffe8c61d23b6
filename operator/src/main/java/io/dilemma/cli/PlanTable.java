package io.dilemma.cli;

import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanningProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The human-readable form of a plan: one row per shard, then the time breakdown. */
final class PlanTable {
  private PlanTable() {}

  static String render(PlanningProblem problem, Plan plan) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "Plan for %s on %d nodes (origin %s): prompt %d, output %d tokens, quality budget %.4g%n",
            problem.model().name(),
            problem.cluster().nodes().size(),
            problem.cluster().origin(),
            problem.workload().promptTokens(),
            problem.workload().outputTokens(),
            problem.qualityBudget()));
    if (!plan.feasible()) {
      Plan.Infeasibility why = plan.infeasibility();
      // the explanation is a whole sentence; the family is a label in front of it
      s.append("No plan (").append(why.family().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append("): ");
      s.append(why.explanation()).append(System.lineSeparator());
      return s.toString();
    }
    Plan.TimeBreakdown t = plan.predicted();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"shard", "node", "layers", "bits", "ρ out", "memory", "decode/token", "compute share of T"});
    for (Plan.Shard shard : plan.shards()) {
      double shardSeconds = computeSeconds(problem, shard);
      rows.add(
          new String[] {
            String.valueOf(shard.index()),
            shard.node(),
            shard.firstLayer() == shard.lastLayer()
                ? String.valueOf(shard.firstLayer())
                : shard.firstLayer() + "-" + shard.lastLayer(),
            bitRuns(shard.bits()),
            shard.outgoingRho() == null ? "-" : String.format(Locale.ROOT, "%.2f", shard.outgoingRho()),
            Bytes.human(shard.memoryBytes()),
            Seconds.human(shard.decodeSecondsPerToken()),
            String.format(Locale.ROOT, "%.0f%%", 100 * shardSeconds / t.totalSeconds())
          });
    }
    appendAligned(s, rows);
    s.append(
        String.format(
            Locale.ROOT,
            "T_total %s = prefill %s (compute %s, transfer %s, latency %s) + decode %s (compute %s, transfer %s, latency %s)%n",
            Seconds.human(t.totalSeconds()),
            Seconds.human(t.prefillComputeSeconds() + t.prefillTransferSeconds() + t.prefillLatencySeconds()),
            Seconds.human(t.prefillComputeSeconds()),
            Seconds.human(t.prefillTransferSeconds()),
            Seconds.human(t.prefillLatencySeconds()),
            Seconds.human(t.decodeComputeSeconds() + t.decodeTransferSeconds() + t.decodeLatencySeconds()),
            Seconds.human(t.decodeComputeSeconds()),
            Seconds.human(t.decodeTransferSeconds()),
            Seconds.human(t.decodeLatencySeconds())));
    s.append(
        String.format(
            Locale.ROOT,
            "quality used %.4g of %.4g; weights keep %.1f%% of their 16-bit bits%n",
            plan.qualityUsed(),
            problem.qualityBudget(),
            100 * plan.quantizationRatio()));
    Map<String, String> memory = new LinkedHashMap<>();
    plan.memoryByNode().forEach((node, bytes) -> memory.put(node, Bytes.human(bytes)));
    s.append("memory by node: ").append(memory.toString().replaceAll("[{}]", "")).append(System.lineSeparator());
    Plan.SolverReport r = plan.solver();
    s.append(
        String.format(
            Locale.ROOT,
            "solver %s %s in %s (gap %.2g%%, integer rounding ≤ %s)%n",
            r.solver(),
            r.status(),
            Seconds.human(r.wallSeconds()),
            100 * r.gap(),
            Seconds.human(r.roundingBoundSeconds())));
    return s.toString();
  }

  /** The shard's compute over the whole request: its prefill plus n decode steps. */
  private static double computeSeconds(PlanningProblem problem, Plan.Shard shard) {
    double flops = problem.cluster().nodesByName().get(shard.node()).flopsPerSecond();
    double prefill = 0;
    for (int i = shard.firstLayer(); i <= shard.lastLayer(); i++) {
      prefill += problem.workload().promptTokens() * problem.model().layers().get(i).prefillFlops() / flops;
    }
    return prefill + problem.workload().outputTokens() * shard.decodeSecondsPerToken();
  }

  /** "16×2 4×6": the bit width of consecutive layers, run-length encoded. */
  static String bitRuns(List<Integer> bits) {
    StringBuilder s = new StringBuilder();
    int i = 0;
    while (i < bits.size()) {
      int j = i;
      while (j < bits.size() && bits.get(j).equals(bits.get(i))) j++;
      if (s.length() > 0) s.append(' ');
      s.append(bits.get(i));
      if (j - i > 1) s.append('×').append(j - i);
      i = j;
    }
    return s.toString();
  }

  private static void appendAligned(StringBuilder s, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) width[c] = Math.max(width[c], row[c].length());
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        line.append(row[c]);
        line.append(" ".repeat(width[c] - row[c].length() + 2));
      }
      s.append(line.toString().stripTrailing()).append(System.lineSeparator());
    }
  }
}
