package io.dilemma.planner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Hand-sized problems for unit tests: identical layers, named nodes, links added by hand. */
final class TinyProblems {
  static final long PARAMS = 1_000_000;

  private final List<ComputeNode> nodes = new ArrayList<>();
  private final List<Link> links = new ArrayList<>();
  private int layers = 3;
  private double budget = 1.0;
  private boolean keepTokensOnOrigin = true;
  private List<Integer> bits = List.of(4, 8, 16);
  private List<Double> rhos = List.of(0.0, 1.0);
  private List<ModelCosts.CutCost> cuts = null;
  private Workload workload = new Workload(16, 8);
  private CutPrecision cutPrecision = CutPrecision.TOKEN_ADAPTIVE;

  static TinyProblems builder() {
    return new TinyProblems();
  }

  /** A node whose decode is memory-bound at {@code bandwidth} bytes/s. */
  TinyProblems node(String name, double bandwidth, long memory) {
    nodes.add(new ComputeNode(name, 1e12, bandwidth, memory, Tier.EDGE));
    return this;
  }

  TinyProblems node(ComputeNode node) {
    nodes.add(node);
    return this;
  }

  /** Both directions. */
  TinyProblems link(String a, String b, double bandwidth, double latency) {
    links.add(new Link(a, b, bandwidth, latency));
    links.add(new Link(b, a, bandwidth, latency));
    return this;
  }

  TinyProblems layers(int n) {
    layers = n;
    return this;
  }

  TinyProblems budget(double q) {
    budget = q;
    return this;
  }

  TinyProblems keepTokensOnOrigin(boolean keep) {
    keepTokensOnOrigin = keep;
    return this;
  }

  TinyProblems bits(Integer... allowed) {
    bits = List.of(allowed);
    return this;
  }

  TinyProblems rhos(Double... allowed) {
    rhos = List.of(allowed);
    return this;
  }

  TinyProblems cuts(List<ModelCosts.CutCost> costs) {
    cuts = costs;
    return this;
  }

  TinyProblems cutPrecision(CutPrecision precision) {
    cutPrecision = precision;
    return this;
  }

  TinyProblems workload(int prompt, int output) {
    workload = new Workload(prompt, output);
    return this;
  }

  TinyProblems workload(int prompt, int output, int concurrency) {
    workload = new Workload(prompt, output, concurrency);
    return this;
  }

  /** Layer bytes at b bits: PARAMS·b/8; loss at b bits: 1/b (0 at 16); KV 1000 B/token. */
  PlanningProblem build() {
    List<ModelCosts.LayerCost> layerCosts = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      List<ModelCosts.BitOption> options = new ArrayList<>();
      for (int b : List.of(2, 3, 4, 8, 16)) {
        options.add(new ModelCosts.BitOption(b, PARAMS * b / 8, b == 16 ? 0 : 1.0 / b));
      }
      layerCosts.add(new ModelCosts.LayerCost(i, PARAMS, 2.0 * PARAMS, 2.0 * PARAMS, 1000, 1000, options));
    }
    List<ModelCosts.CutCost> cutCosts = cuts;
    if (cutCosts == null) {
      cutCosts = new ArrayList<>();
      for (int c = -1; c < layers - 1; c++) {
        cutCosts.add(
            new ModelCosts.CutCost(
                c, List.of(new ModelCosts.RhoOption(0.0, 0.05), new ModelCosts.RhoOption(1.0, 0.01))));
      }
    }
    ModelCosts model = new ModelCosts("tiny", layerCosts, cutCosts, 1000, 1000, 0);
    Cluster cluster = new Cluster(nodes, links, nodes.get(0).name());
    return new PlanningProblem(
        "tiny", model, cluster, workload, budget,
        new PlanningOptions(bits, rhos, cutPrecision, keepTokensOnOrigin, Duration.ofSeconds(10), null));
  }
}
