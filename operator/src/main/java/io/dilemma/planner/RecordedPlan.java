package io.dilemma.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A plan read back into one problem's indices: the one place a recorded {@link Plan} becomes an
 * {@link Assignment}, whether it is a warm start for the solver or the running plan priced again.
 * Every ρ is read from the plan, the embedding cut's included; none is guessed.
 *
 * @param assignment the plan in this problem's indices, or null when it does not fit the problem
 * @param mismatches why the plan does not fit this problem; empty when {@code assignment} is set
 */
public record RecordedPlan(Assignment assignment, List<String> mismatches) {
  public RecordedPlan {
    mismatches = List.copyOf(mismatches);
  }

  public Optional<Assignment> fitting() {
    return Optional.ofNullable(assignment);
  }

  public static RecordedPlan read(CostModel costs, Plan plan) {
    int n = costs.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] rho = new int[n];
    Arrays.fill(rho, -1);
    boolean[] covered = new boolean[n];
    List<String> mismatches = new ArrayList<>();
    for (Plan.LayerAssignment layer : plan.layers()) {
      int i = layer.layer();
      if (i < 0 || i >= n) {
        mismatches.add("the plan has layer " + i + " but the model has " + n);
        continue;
      }
      covered[i] = true;
      nodes[i] = costs.problem().cluster().indexOf(layer.node());
      bits[i] = bitIndex(costs, layer.bits());
      if (nodes[i] < 0) mismatches.add("layer " + i + " runs on " + layer.node() + ", not in the cluster");
      if (bits[i] < 0) mismatches.add("layer " + i + " bits " + layer.bits() + " no longer allowed");
    }
    int coveredCount = 0;
    for (boolean c : covered) if (c) coveredCount++;
    if (coveredCount != n) mismatches.add("the plan covers " + coveredCount + " of " + n + " layers");
    if (!mismatches.isEmpty()) return new RecordedPlan(null, mismatches);

    for (Plan.Shard shard : plan.shards()) {
      if (shard.outgoingRho() != null && shard.lastLayer() + 1 < n) {
        rho[shard.lastLayer() + 1] = rhoIndex(costs, shard.lastLayer(), shard.outgoingRho(), mismatches);
      }
    }
    if (nodes[0] != costs.origin()) {
      if (plan.embeddingRho() == null) {
        mismatches.add("layer 0 is off the origin but the plan records no ρ for the embedding cut");
      } else {
        rho[0] = rhoIndex(costs, -1, plan.embeddingRho(), mismatches);
      }
    }
    return mismatches.isEmpty()
        ? new RecordedPlan(new Assignment(nodes, bits, rho), List.of())
        : new RecordedPlan(null, mismatches);
  }

  private static int bitIndex(CostModel costs, int bits) {
    for (int b = 0; b < costs.bitOptionCount(); b++) if (costs.bits(b) == bits) return b;
    return -1;
  }

  private static int rhoIndex(CostModel costs, int cut, double rho, List<String> mismatches) {
    for (int r = 0; r < costs.rhoOptionCount(); r++) {
      if (Math.abs(costs.rho(r) - rho) < 1e-9) return r;
    }
    mismatches.add("cut after layer " + cut + " has ρ " + rho + ", no longer allowed");
    return -1;
  }
}
