package io.dilemma.operator;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.PlanStatus;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.operator.observe.NodeReading;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small, self-made inputs: an OPT-shaped profile, labelled nodes, links, a deployment. */
public final class Fixtures {
  private Fixtures() {}

  /**
   * An OPT-style decoder of {@code layers} blocks of width {@code hidden}, with the weight error
   * of each bit width growing as bits shrink and cuts costing less at higher ρ.
   */
  public static ModelProfile profile(int layers, int hidden) {
    long params = 12L * hidden * hidden;
    List<ModelProfile.LayerProfile> ls = new ArrayList<>();
    List<ModelProfile.CutProfile> cuts = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      List<ModelProfile.BitCost> bits = new ArrayList<>();
      for (int b : List.of(2, 3, 4, 8, 16)) {
        double err = b == 16 ? 0 : Math.pow(2, -b) * (1 + 0.05 * i);
        bits.add(new ModelProfile.BitCost(b, params * b / 8 + params / 64, new ModelProfile.QualityCost(err, err / 2, err * 3)));
      }
      ls.add(new ModelProfile.LayerProfile(i, params, 2.0 * params, 2.0 * params, hidden, 4L * 2 * hidden, bits));
      if (i == layers - 1) continue; // no cut after the last layer
      cuts.add(
          new ModelProfile.CutProfile(
              i,
              List.of(
                  new ModelProfile.RhoCost(0.0, new ModelProfile.QualityCost(0.004, 0.002, 0.01)),
                  new ModelProfile.RhoCost(0.1, new ModelProfile.QualityCost(0.003, 0.0015, 0.008)),
                  new ModelProfile.RhoCost(0.25, new ModelProfile.QualityCost(0.002, 0.001, 0.006)),
                  new ModelProfile.RhoCost(0.5, new ModelProfile.QualityCost(0.001, 0.0005, 0.003)),
                  new ModelProfile.RhoCost(1.0, new ModelProfile.QualityCost(0.0002, 0.0001, 0.0005)))));
    }
    long vocab = 50272;
    return new ModelProfile(
        ModelProfile.SCHEMA_VERSION,
        "test-opt",
        new ModelProfile.ModelArchitecture(layers, hidden, hidden, 16, 4 * hidden, (int) vocab, 2048, true),
        new ModelProfile.ComponentProfile(vocab * hidden, vocab * hidden * 2, 0),
        new ModelProfile.ComponentProfile(vocab * hidden, vocab * hidden * 2, 2.0 * vocab * hidden),
        ls,
        cuts,
        null);
  }

  public static Node node(String name, double gflops, double memGbps, long memoryBytes, boolean ready) {
    return new NodeBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(name)
                .withLabels(
                    Map.of(
                        "kubernetes.io/hostname", name,
                        "dilemma.io/pool", "edge",
                        NodeReading.GFLOPS, Double.toString(gflops),
                        NodeReading.MEMORY_BANDWIDTH_GBPS, Double.toString(memGbps)))
                .build())
        .withNewStatus()
        .withAllocatable(Map.of("cpu", new Quantity("4"), "memory", new Quantity(Long.toString(memoryBytes))))
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  public static EdgeLink link(String from, String to, double mbps, double rttMs, Instant observedAt) {
    EdgeLink link = new EdgeLink();
    link.setMetadata(new ObjectMetaBuilder().withName(from + "-" + to).withGeneration(1L).build());
    link.setSpec(new EdgeLinkSpec(from, to, mbps, rttMs));
    link.setStatus(new EdgeLinkStatus(observedAt.toString(), "spec", 1L));
    return link;
  }

  /** Full mesh between the nodes, both directions. */
  public static List<EdgeLink> mesh(List<String> nodes, double mbps, double rttMs, Instant observedAt) {
    List<EdgeLink> links = new ArrayList<>();
    for (String a : nodes) for (String b : nodes) if (!a.equals(b)) links.add(link(a, b, mbps, rttMs, observedAt));
    return links;
  }

  public static LLMDeploymentSpec spec(String origin, double budget) {
    return new LLMDeploymentSpec(
        new LLMDeploymentSpec.ModelSpec(
            "test-opt",
            new LLMDeploymentSpec.ConfigMapKeyRef("test-opt-profile", null),
            new LLMDeploymentSpec.ShardSource("https://models.local/test-opt", null)),
        new LLMDeploymentSpec.WorkloadSpec(64, 32),
        new LLMDeploymentSpec.QualitySpec(budget, QualityMetric.NORMALIZED_ERROR),
        null,
        null,
        new LLMDeploymentSpec.PlacementSpec(Map.of("dilemma.io/pool", "edge"), origin, true),
        new LLMDeploymentSpec.ReplanPolicySpec(0.1, 60),
        new LLMDeploymentSpec.SolverSpec(5.0),
        null);
  }

  public static LLMDeployment deployment(String name, LLMDeploymentSpec spec) {
    LLMDeployment d = new LLMDeployment();
    d.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("llm").withUid("uid-" + name).withGeneration(1L).build());
    d.setSpec(spec);
    return d;
  }

  /** A plan of {@code shards} shards on nodes n0, n1, …, two layers each. */
  public static PlanStatus plan(String id, int shards) {
    List<PlanStatus.ShardStatus> list = new java.util.ArrayList<>();
    for (int i = 0; i < shards; i++) {
      list.add(new PlanStatus.ShardStatus(i, "n" + i, 2 * i, 2 * i + 1, List.of(4, 8), i + 1 < shards ? 0.25 : null, 1000, 200, 0.01));
    }
    return new PlanStatus(
        id, 1L, shards, list, null, new PlanStatus.PredictedTime(2.5, 0.1, 0.1, 0.1, 1.5, 0.5, 0.2),
        0.4, 0.375, 37.5, Map.of("n0", 1000L), new PlanStatus.SolverStatus("CP-SAT", "OPTIMAL", 0, 0.02));
  }
}
