package io.dilemma.planner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small random planning problems for exhaustive comparison: sizes are drawn until the brute-force
 * search space (nodes^N × bits^N × ρ^N) stays below {@link #MAX_SEARCH_SPACE}.
 */
final class RandomInstances {
  static final long MAX_SEARCH_SPACE = 60_000;
  private static final int[] BITS = {2, 3, 4, 8, 16};
  private static final double[] RHOS = {0.0, 0.1, 0.25, 0.5, 1.0};

  private RandomInstances() {}

  static PlanningProblem draw(Random random, String id) {
    int n, k, b, r;
    do {
      n = 1 + random.nextInt(6);
      k = 1 + random.nextInt(3);
      b = 1 + random.nextInt(3);
      r = 1 + random.nextInt(3);
    } while (Math.pow(k, n) * Math.pow(b, n) * Math.pow(r, n) > MAX_SEARCH_SPACE);

    List<Integer> bits = pick(random, BITS, b);
    List<Double> rhos = pickRho(random, r);
    List<ModelCosts.LayerCost> layers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long params = 1_000_000L + random.nextInt(50_000_000);
      List<ModelCosts.BitOption> options = new ArrayList<>();
      for (int bit : BITS) {
        double loss = bit == 16 ? 0 : random.nextDouble() * 0.2 / bit;
        options.add(new ModelCosts.BitOption(bit, params * bit / 8 + 4096, loss));
      }
      layers.add(
          new ModelCosts.LayerCost(
              i, params, 2.0 * params, 2.2 * params, 256 + random.nextInt(1800),
              1000 + random.nextInt(50_000), options));
    }
    List<ModelCosts.CutCost> cuts = new ArrayList<>();
    for (int c = -1; c < n - 1; c++) {
      if (random.nextInt(5) == 0) continue; // a cut without costs is free at every ρ
      List<ModelCosts.RhoOption> options = new ArrayList<>();
      for (double rho : RHOS) {
        if (rho != 0.0 && random.nextInt(8) == 0) continue; // ρ not measured here
        options.add(new ModelCosts.RhoOption(rho, (1 - rho) * random.nextDouble() * 0.02));
      }
      cuts.add(new ModelCosts.CutCost(c, options));
    }
    ModelCosts model =
        new ModelCosts("random", layers, cuts, 1_000_000 + random.nextInt(9_000_000),
            2_000_000 + random.nextInt(20_000_000), 1e6 + random.nextInt(10_000_000));

    long modelBytes = layers.stream().mapToLong(l -> l.parameters() * 2).sum();
    List<ComputeNode> nodes = new ArrayList<>();
    for (int j = 0; j < k; j++) {
      nodes.add(
          new ComputeNode(
              "n" + j,
              1e9 * (1 + random.nextInt(100)),
              1e9 * (1 + random.nextInt(40)),
              (long) (modelBytes * (0.3 + 1.5 * random.nextDouble())),
              random.nextInt(3) == 0 ? Tier.CLOUD : Tier.EDGE));
    }
    // half the clusters are one LAN (every link alike, so nodes form link groups), half have
    // arbitrary, possibly missing, links
    boolean lan = random.nextBoolean();
    double lanBandwidth = 1e5 * (1 + random.nextInt(10_000));
    double lanLatency = random.nextDouble() * 0.03;
    List<Link> links = new ArrayList<>();
    for (int a = 0; a < k; a++) {
      for (int c = 0; c < k; c++) {
        if (a == c) continue;
        if (lan) {
          links.add(new Link("n" + a, "n" + c, lanBandwidth, lanLatency));
        } else if (random.nextInt(6) != 0) {
          links.add(new Link("n" + a, "n" + c, 1e5 * (1 + random.nextInt(10_000)), random.nextDouble() * 0.03));
        }
      }
    }
    Cluster cluster = new Cluster(nodes, links, "n" + random.nextInt(k));
    Workload workload = new Workload(1 + random.nextInt(256), 1 + random.nextInt(128));
    double budget = random.nextDouble() * 0.05 * n;
    PlanningOptions options =
        new PlanningOptions(bits, rhos, random.nextBoolean(), Duration.ofSeconds(20), null);
    return new PlanningProblem(id, model, cluster, workload, budget, options);
  }

  private static List<Integer> pick(Random random, int[] from, int count) {
    List<Integer> all = new ArrayList<>();
    for (int v : from) all.add(v);
    java.util.Collections.shuffle(all, random);
    return all.subList(0, count).stream().sorted().toList();
  }

  private static List<Double> pickRho(Random random, int count) {
    List<Double> all = new ArrayList<>();
    for (double v : RHOS) all.add(v);
    java.util.Collections.shuffle(all, random);
    return all.subList(0, count).stream().sorted().toList();
  }
}
