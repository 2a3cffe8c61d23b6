package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dilemma.planner.ilp.CpSatBackend;
import io.dilemma.planner.ilp.LinearModel;
import io.dilemma.planner.ilp.LinearModel.Family;
import io.dilemma.planner.ilp.SolveRequest;
import io.dilemma.planner.ilp.SolveResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One test (or a few) per constraint family of {@link PlacementIlp}. */
class ConstraintFamiliesTest {
  private final CpSatPlanner planner = new CpSatPlanner(1);

  private static List<String> nodesOf(Plan plan) {
    return plan.layers().stream().map(Plan.LayerAssignment::node).toList();
  }

  private static List<Integer> bitsOf(Plan plan) {
    return plan.layers().stream().map(Plan.LayerAssignment::bits).toList();
  }

  @Test
  void assignmentGivesEveryLayerExactlyOneNodeAndBitWidth() {
    PlanningProblem p = TinyProblems.builder().node("a", 1e9, 1L << 30).node("b", 1e9, 1L << 30).layers(3).build();
    List<LinearModel.Row> rows = PlacementIlp.build(new CostModel(p)).model().rowsOf(Family.ASSIGNMENT);
    assertThat(rows).hasSize(3);
    for (LinearModel.Row row : rows) {
      assertThat(row.terms()).hasSize(2 * 3).allMatch(t -> t.coefficient() == 1);
      assertThat(row.lower()).isEqualTo(1);
      assertThat(row.upper()).isEqualTo(1);
    }
  }

  /** A layer at 16 bits with its KV cache for one session of the tiny workload, and the LM head. */
  private static final long ONE_LAYER = 2 * TinyProblems.PARAMS + 1000L * 24 + 1000;

  /** A slow origin with room for everything and a fast node with room for one layer. */
  private static TinyProblems fastNodeForOneLayer() {
    return TinyProblems.builder()
        .node("slow", 1e9, 1L << 30)
        .node("fast", 1e11, ONE_LAYER + 10)
        .link("slow", "fast", 1e9, 0)
        .bits(16)
        .keepTokensOnOrigin(false);
  }

  @Test
  void memoryKeepsLayersOffAFastNodeThatCannotHoldThem() {
    long oneLayer = ONE_LAYER;
    PlanningProblem p = fastNodeForOneLayer().build();
    Plan plan = planner.plan(p);
    assertThat(nodesOf(plan)).filteredOn("fast"::equals).hasSize(1);
    assertThat(plan.memoryByNode().get("fast")).isLessThanOrEqualTo(oneLayer + 10);

    LinearModel.Row originRow = PlacementIlp.build(new CostModel(p)).model().rowsOf(Family.MEMORY).get(0);
    assertThat(originRow.upper()).as("the origin's memory minus the embedding").isEqualTo((1L << 30) - 1000);
  }

  @Test
  void qualityBudgetDecidesTheBits() {
    TinyProblems one = TinyProblems.builder().node("only", 1e9, 1L << 30).layers(3).bits(4, 8, 16);
    assertThat(bitsOf(planner.plan(one.budget(0).build()))).containsOnly(16);
    assertThat(bitsOf(planner.plan(one.budget(100).build()))).containsOnly(4);
    Plan eight = planner.plan(one.budget(3.0 / 8).build());
    assertThat(bitsOf(eight)).as("%s", eight).containsOnly(8);
    // 1/4 buys {8, 8, 16} or {4, 16, 16}; the first streams fewer bytes
    assertThat(bitsOf(planner.plan(one.budget(1.0 / 4).build()))).containsExactlyInAnyOrder(8, 8, 16);
  }

  @Test
  void privacyKeepsLayerZeroOnTheOrigin() {
    TinyProblems cluster =
        TinyProblems.builder().node("origin", 1e9, 1L << 30).node("fast", 1e12, 1L << 30).link("origin", "fast", 1e9, 0);
    assertThat(nodesOf(planner.plan(cluster.keepTokensOnOrigin(true).build()))).containsExactly("origin", "fast", "fast");
    assertThat(nodesOf(planner.plan(cluster.keepTokensOnOrigin(false).build()))).containsOnly("fast");
  }

  @Test
  void cutsNeedLinksInBothDirectionsOfUse() {
    PlanningProblem island =
        TinyProblems.builder().node("origin", 1e9, 1L << 30).node("island", 1e12, 1L << 30).keepTokensOnOrigin(false).build();
    assertThat(nodesOf(planner.plan(island))).containsOnly("origin");

    PlanningProblem oneWay =
        TinyProblems.builder()
            .node("origin", 1e9, 1L << 30)
            .node("fast", 1e12, 1L << 30)
            .keepTokensOnOrigin(false)
            .build();
    PlanningProblem withOneWayLink =
        new PlanningProblem(
            oneWay.id(), oneWay.model(),
            new Cluster(oneWay.cluster().nodes(), List.of(new Link("origin", "fast", 1e9, 0)), "origin"),
            oneWay.workload(), oneWay.qualityBudget(), oneWay.options());
    List<String> nodes = nodesOf(planner.plan(withOneWayLink));
    assertThat(nodes.get(nodes.size() - 1)).as("the token could not get back from fast").isEqualTo("origin");
  }

  /** A slow origin behind a slow link to a fast node: the cut's bytes and its loss both matter. */
  private static TinyProblems slowLinkToAFastNode() {
    return TinyProblems.builder()
        .node("origin", 1e6, 1L << 30)
        .node("fast", 1e12, 1L << 30)
        .link("origin", "fast", 1e4, 0)
        .layers(2)
        .bits(16);
  }

  @Test
  void cutsPickTheRhoThatBuysTransferTimeWithQuality() {
    TinyProblems slowLink = slowLinkToAFastNode();
    Plan loose = planner.plan(slowLink.budget(1).build());
    Plan tight = planner.plan(slowLink.budget(0.02).build());
    assertThat(loose.shards().get(0).outgoingRho()).isEqualTo(0.0);
    assertThat(tight.shards().get(0).outgoingRho()).isEqualTo(1.0);
  }

  @Test
  void aLosslessCutCostsNoQualityAndSixteenBitsPerValue() {
    TinyProblems slowLink = slowLinkToAFastNode().budget(0.02);
    Plan adaptive = planner.plan(slowLink.build());
    Plan full = planner.plan(slowLink.cutPrecision(CutPrecision.FULL).build());
    assertThat(adaptive.shards()).hasSizeGreaterThan(1);
    assertThat(full.shards()).as("the same chain, only the cut's width changes").hasSameSizeAs(adaptive.shards());
    assertThat(adaptive.qualityUsed()).as("ρ=1 still costs its profiled loss").isPositive();
    assertThat(full.qualityUsed()).as("16-bit weights and a lossless cut").isZero();
    // ρ=1 sends every value at 8 bits; a full cut at 16: twice the bytes over the same link
    assertThat(full.predicted().decodeTransferSeconds())
        .isCloseTo(2 * adaptive.predicted().decodeTransferSeconds(), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void machinesOnOneLanShareOneLinkGroup() {
    TinyProblems lan = TinyProblems.builder();
    String[] edge = {"a", "b", "c", "d"};
    for (String name : edge) lan.node(name, 1e9, 1L << 30);
    lan.node(new ComputeNode("cloud", 1e12, 1e12, 1L << 34, Tier.CLOUD));
    for (int i = 0; i < edge.length; i++) {
      for (int j = i + 1; j < edge.length; j++) lan.link(edge[i], edge[j], 1.25e8, 3e-4);
      lan.link(edge[i], "cloud", 2.5e6, 0.04);
    }
    assertThat(PlacementIlp.build(new CostModel(lan.build())).linkGroupCount()).isEqualTo(2);

    // one slower cable between a and b: {a, b} and {c, d} become separate groups
    lan.link("a", "b", 1e7, 3e-4);
    List<Link> links = new java.util.ArrayList<>(lan.build().cluster().links());
    links.removeIf(l -> (l.from().equals("a") && l.to().equals("b") || l.from().equals("b") && l.to().equals("a")) && l.bandwidth() == 1.25e8);
    PlanningProblem p = lan.build();
    PlanningProblem slowCable =
        new PlanningProblem(p.id(), p.model(), new Cluster(p.cluster().nodes(), links, "a"), p.workload(), p.qualityBudget(), p.options());
    assertThat(PlacementIlp.build(new CostModel(slowCable)).linkGroupCount()).isEqualTo(3);
  }

  @Test
  void symmetryOrdersInterchangeableNodesWithoutChangingTheOptimum() {
    long room = 2 * TinyProblems.PARAMS + 100_000;
    PlanningProblem p =
        TinyProblems.builder()
            .node("origin", 1e8, 1L << 30)
            .node("twin-a", 1e10, room)
            .node("twin-b", 1e10, room)
            .node("other", 1e10, room * 2)
            .link("origin", "twin-a", 1e9, 1e-3)
            .link("origin", "twin-b", 1e9, 1e-3)
            .link("origin", "other", 1e9, 1e-3)
            .link("twin-a", "twin-b", 1e9, 1e-3)
            .link("twin-a", "other", 1e9, 1e-3)
            .link("twin-b", "other", 1e9, 1e-3)
            .layers(4)
            .bits(16)
            .build();
    PlacementIlp ilp = PlacementIlp.build(new CostModel(p));
    assertThat(ilp.interchangeableNodes()).containsExactly(List.of(1, 2));
    assertThat(ilp.model().rowsOf(Family.SYMMETRY)).hasSize(4);

    CpSatBackend backend = new CpSatBackend(1);
    SolveResult with = backend.solve(SolveRequest.of(ilp.model(), Duration.ofSeconds(10)));
    SolveResult without =
        backend.solve(new SolveRequest(ilp.model(), Set.of(Family.SYMMETRY), Duration.ofSeconds(10), Map.of()));
    assertThat(with.objective()).isEqualTo(without.objective());
  }

  @Test
  void objectivePricesEveryAssignmentExactlyLikeTheEvaluator() {
    assertTheIlpPricesLikeTheEvaluator(new Random(7), (p, random) -> p);
  }

  /** 300 random instances, each with one random connected assignment, priced both ways. */
  private static void assertTheIlpPricesLikeTheEvaluator(
      Random random, java.util.function.BiFunction<PlanningProblem, Random, PlanningProblem> adjust) {
    int checked = 0;
    for (int t = 0; t < 300; t++) {
      PlanningProblem p = adjust.apply(RandomInstances.draw(random, "objective-" + t), random);
      CostModel costs = new CostModel(p);
      Assignment a = randomConnectedAssignment(costs, random);
      if (a == null) continue;
      PlacementIlp ilp = PlacementIlp.build(costs);
      double[] values = new double[ilp.model().variableCount()];
      ilp.hint(a).forEach((variable, value) -> values[variable] = value);
      double expected = PlanEvaluator.evaluate(costs, a).time().totalSeconds();
      assertThat(ilp.model().objectiveValue(values)).isCloseTo(expected, within(1e-9 * expected));
      checked++;
    }
    assertThat(checked).isGreaterThan(100);
  }

  /**
   * Objective with batched decode: b sessions per decode step (b·FLOPs against one weight stream,
   * b tokens over every cut), priced by the ILP exactly as by the evaluator.
   */
  @Test
  void objectivePricesBatchedDecodeExactlyLikeTheEvaluator() {
    assertTheIlpPricesLikeTheEvaluator(new Random(8), (drawn, random) -> {
      Workload w = drawn.workload();
      return new PlanningProblem(drawn.id(), drawn.model(), drawn.cluster(),
          new Workload(w.promptTokens(), w.outputTokens(), 2 + random.nextInt(31)), drawn.qualityBudget(), drawn.options());
    });
  }

  /** Memory with batched decode: every session keeps its own KV cache, so b of them need b caches. */
  @Test
  void memoryHoldsTheKvCacheOfEverySession() {
    PlanningProblem single = fastNodeForOneLayer().build();
    PlanningProblem four = fastNodeForOneLayer().workload(16, 8, 4).build();
    assertThat(nodesOf(planner.plan(single))).filteredOn("fast"::equals).hasSize(1);
    assertThat(nodesOf(planner.plan(four))).as("one layer and four KV caches do not fit").doesNotContain("fast");

    LinearModel.Row fastRow = PlacementIlp.build(new CostModel(four)).model().rowsOf(Family.MEMORY).get(1);
    assertThat(fastRow.terms()).extracting(LinearModel.Term::coefficient)
        .contains((double) (2 * TinyProblems.PARAMS + 4 * 1000L * 24));
  }

  /** Any placement the links allow, with any allowed bits and ρ; null if the draw hits a gap. */
  static Assignment randomConnectedAssignment(CostModel costs, Random random) {
    int n = costs.layerCount();
    int[] nodes = new int[n];
    int[] bits = new int[n];
    int[] rho = new int[n];
    for (int i = 0; i < n; i++) {
      nodes[i] = random.nextInt(costs.nodeCount());
      bits[i] = random.nextInt(costs.bitOptionCount());
    }
    for (int c = -1; c < n - 1; c++) {
      int from = c < 0 ? costs.origin() : nodes[c];
      if (!costs.linked(from, nodes[c + 1])) return null;
      rho[c + 1] = -1;
      if (from != nodes[c + 1]) {
        rho[c + 1] = random.nextInt(costs.rhoOptionCount());
        if (!costs.rhoAvailable(c, rho[c + 1])) return null;
      }
    }
    if (!costs.linked(nodes[n - 1], costs.origin())) return null;
    return new Assignment(nodes, bits, rho);
  }
}
