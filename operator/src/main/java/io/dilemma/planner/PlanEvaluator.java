package io.dilemma.planner;

import io.dilemma.planner.Evaluation.Violation.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns an assignment into time, memory and quality. Solver output, baselines,
 * brute force and tests all go through here, so every number a {@link Plan} reports is computed
 * the same way, in true reals.
 */
public final class PlanEvaluator {
  /** Relative slack when checking budgets, so a plan exactly on its budget counts as within it. */
  static final double TOLERANCE = 1e-9;

  private PlanEvaluator() {}

  public static Evaluation evaluate(CostModel costs, Assignment a) {
    int n = costs.layerCount();
    int origin = costs.origin();
    int outputTokens = costs.problem().workload().outputTokens();
    int promptTokens = costs.problem().workload().promptTokens();
    List<Evaluation.Violation> violations = new ArrayList<>();
    long[] memory = new long[costs.nodeCount()];
    memory[origin] += costs.embeddingBytes();

    double prefillCompute = 0, decodeStepCompute = 0;
    double quality = 0, keptBits = 0, fullBits = 0;
    for (int i = 0; i < n; i++) {
      int k = a.nodes()[i];
      int b = a.bits()[i];
      if (!costs.bitsAvailable(i, b)) {
        violations.add(violation(Kind.OPTION, "layer " + i + " has no " + costs.bits(b) + "-bit option"));
        continue;
      }
      prefillCompute += costs.layerPrefillSeconds(i, k, b);
      decodeStepCompute += costs.layerDecodeSeconds(i, k, b);
      memory[k] += costs.layerMemoryBytes(i, b);
      quality += costs.layerQuality(i, b);
      keptBits += (double) costs.parameters(i) * costs.bits(b);
      fullBits += (double) costs.parameters(i) * 16;
    }
    int last = a.nodes()[n - 1];
    prefillCompute += costs.headPrefillSeconds(last) + costs.stepOverheadSeconds();
    decodeStepCompute += costs.headDecodeSeconds(last) + costs.stepOverheadSeconds();
    memory[last] += costs.headBytes();

    double transferPerToken = 0, cutLatency = 0;
    for (int c = -1; c < n - 1; c++) {
      int from = a.sender(c, origin);
      int to = a.receiver(c);
      int r = a.rhoAt(c);
      if (from == to) {
        if (r >= 0) violations.add(violation(Kind.OPTION, "cut after layer " + c + " has a ρ but no cut"));
        continue;
      }
      if (!costs.linked(from, to)) {
        violations.add(violation(Kind.CONNECTIVITY, "no link " + costs.node(from).name() + "->" + costs.node(to).name()));
        continue;
      }
      if (r < 0 || !costs.rhoAvailable(c, r)) {
        violations.add(violation(Kind.OPTION, "cut after layer " + c + " has no allowed ρ"));
        continue;
      }
      transferPerToken += costs.cutTransferSecondsPerToken(c, from, to, r);
      cutLatency += costs.latencySeconds(from, to);
      quality += costs.cutQuality(c, r);
    }
    if (last != origin && !costs.linked(last, origin)) {
      violations.add(
          violation(
              Evaluation.Violation.Kind.CONNECTIVITY,
              "no link " + costs.node(last).name() + "->" + costs.node(origin).name() + " to return tokens"));
    }
    double returnLatency = costs.returnLatencySeconds(last);

    for (int k = 0; k < memory.length; k++) {
      if (memory[k] > costs.memoryCapacity(k)) {
        violations.add(
            violation(
                Evaluation.Violation.Kind.MEMORY,
                costs.node(k).name() + " needs " + memory[k] + " bytes, has " + costs.memoryCapacity(k)));
      }
    }
    double budget = costs.qualityBudget();
    if (quality > budget + TOLERANCE * Math.max(1.0, Math.abs(budget))) {
      violations.add(violation(Kind.QUALITY, "quality " + quality + " exceeds the budget " + budget));
    }
    if (costs.problem().options().keepTokensOnOrigin() && a.nodes()[0] != origin) {
      violations.add(violation(Kind.PRIVACY, "layer 0 leaves the origin although tokens must stay there"));
    }

    // A batched decode step sends one token of each of the b sessions over every cut.
    double decodeStepTransfer = costs.decodeTokensPerStep() * transferPerToken;
    Plan.TimeBreakdown time =
        new Plan.TimeBreakdown(
            prefillCompute
                + promptTokens * transferPerToken
                + cutLatency
                + returnLatency
                + outputTokens * (decodeStepCompute + decodeStepTransfer + cutLatency + returnLatency),
            prefillCompute,
            promptTokens * transferPerToken,
            cutLatency + returnLatency,
            outputTokens * decodeStepCompute,
            outputTokens * decodeStepTransfer,
            outputTokens * (cutLatency + returnLatency));
    return new Evaluation(
        time, memory, quality, fullBits == 0 ? 1.0 : keptBits / fullBits, List.copyOf(violations));
  }

  private static Evaluation.Violation violation(Kind kind, String message) {
    return new Evaluation.Violation(kind, message);
  }

  /** A feasible plan for the assignment, with the evaluator's numbers and the given solver report. */
  public static Plan toPlan(CostModel costs, Assignment a, Plan.SolverReport report) {
    Evaluation e = evaluate(costs, a);
    List<Plan.LayerAssignment> layers = new ArrayList<>();
    for (int i = 0; i < a.layerCount(); i++) {
      layers.add(
          new Plan.LayerAssignment(i, costs.node(a.nodes()[i]).name(), costs.bits(a.bits()[i])));
    }
    Map<String, Long> memoryByNode = new LinkedHashMap<>();
    for (int k = 0; k < costs.nodeCount(); k++) {
      if (e.memoryByNode()[k] > 0) memoryByNode.put(costs.node(k).name(), e.memoryByNode()[k]);
    }
    return new Plan(
        costs.problem().id(),
        List.copyOf(layers),
        shards(costs, a),
        a.nodes()[0] == costs.origin() ? null : costs.rho(a.rhoAt(-1)),
        e.time(),
        e.qualityUsed(),
        memoryByNode,
        e.quantizationRatio(),
        report,
        null);
  }

  /** Maximal runs of consecutive layers on one node. */
  static List<Plan.Shard> shards(CostModel costs, Assignment a) {
    List<Plan.Shard> shards = new ArrayList<>();
    int n = a.layerCount();
    boolean embeddingCounted = false;
    int first = 0;
    for (int i = 0; i < n; i++) {
      if (i < n - 1 && a.nodes()[i + 1] == a.nodes()[i]) continue;
      int k = a.nodes()[i];
      List<Integer> bits = new ArrayList<>();
      long memory = 0;
      long kv = 0;
      double decode = 0;
      for (int j = first; j <= i; j++) {
        bits.add(costs.bits(a.bits()[j]));
        memory += costs.layerMemoryBytes(j, a.bits()[j]);
        kv += costs.layerKvBytes(j);
        decode += costs.layerDecodeSeconds(j, k, a.bits()[j]);
      }
      if (k == costs.origin() && !embeddingCounted) {
        memory += costs.embeddingBytes();
        embeddingCounted = true;
      }
      if (i == n - 1) {
        memory += costs.headBytes();
        decode += costs.headDecodeSeconds(k);
      }
      Double rho = i == n - 1 ? null : costs.rho(a.rhoAt(i));
      shards.add(
          new Plan.Shard(
              shards.size(), costs.node(k).name(), first, i, List.copyOf(bits), rho, memory, kv, decode));
      first = i + 1;
    }
    return List.copyOf(shards);
  }
}
