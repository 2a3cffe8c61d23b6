package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.operator.Fixtures;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.ClusterObserver;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.ModelCosts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The planning step with the real CP-SAT planner on a small model where placement matters. */
class PlanningStepTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GIB = 1L << 30;
  private final LLMDeploymentSpec spec = Fixtures.spec("a", 0.05);
  private final ModelCosts costs =
      ModelCostsFromProfile.toModelCosts(
          Fixtures.profile(8, 1024), spec.quality().metric(), spec.allowedBits(), spec.allowedRho());
  private final PlanningStep step =
      new PlanningStep(new CpSatPlanner(2), 0);

  /**
   * A slow origin with little memory and two fast helpers on 2 Mbit/s links, slow enough that the
   * prompt's activations crossing a→b cost a noticeable share of T_total.
   */
  private ClusterObservation cluster(double abMbps, boolean bReady, Instant now) {
    var nodes =
        List.of(
            Fixtures.node("a", 2, 1, 2 * GIB, true),
            Fixtures.node("b", 50, 20, 8 * GIB, bReady),
            Fixtures.node("c", 40, 16, 8 * GIB, true));
    List<EdgeLink> links = new ArrayList<>(Fixtures.mesh(List.of("a", "b", "c"), 2, 1, now));
    links.removeIf(l -> l.getSpec().from().equals("a") && l.getSpec().to().equals("b"));
    links.add(Fixtures.link("a", "b", abMbps, 1, now));
    return ClusterObserver.observe(spec.placement(), nodes, links, Map.of(), LinkReading.Freshness.defaults(), now);
  }

  private PlanningStep.Result run(LLMDeploymentStatus previous, ClusterObservation observed, Instant now) {
    return step.run("llm/chat", 1, spec, previous, costs, observed, now);
  }

  private static LLMDeploymentStatus statusAfter(PlanningStep.Result result) {
    var planned = (PlanningOutcome.Planned) result.outcome();
    return new LLMDeploymentStatus(
        1L, List.of(), planned.plan(), planned.plan().planId(),
        planned.replanned() ? planned.replannedAt().toString() : null,
        planned.reason() == null ? null : planned.reason().name());
  }

  private LLMDeploymentStatus initial() {
    var first = run(new LLMDeploymentStatus(null, null, null, null, null, null), cluster(2.0, true, T0), T0);
    assertThat(first.outcome()).isInstanceOf(PlanningOutcome.Planned.class);
    assertThat(((PlanningOutcome.Planned) first.outcome()).reason()).isEqualTo(ReplanReason.Initial);
    return statusAfter(first);
  }

  @Test
  void aTenfoldSlowerLinkOnThePlansPathReplansAfterTheWindow() {
    var running = initial();
    assertThat(running.plan().shards()).extracting(s -> s.node()).contains("b");
    Instant later = T0.plusSeconds(61);
    var result = run(running, cluster(0.2, true, later), later);
    var planned = (PlanningOutcome.Planned) result.outcome();
    assertThat(planned.replanned()).isTrue();
    assertThat(planned.reason()).isEqualTo(ReplanReason.Improvement);
    assertThat(planned.plan().planId()).isNotEqualTo(running.plan().planId());
    var evaluation = planned.evaluation();
    assertThat(evaluation.decision()).isEqualTo(EvaluationDecision.Replanned);
    assertThat(evaluation.at()).isEqualTo(later);
    assertThat(evaluation.bestFoundSeconds()).hasValue(planned.plan().predicted().totalSeconds());
    assertThat(evaluation.bestFoundSeconds().getAsDouble()).isLessThan(evaluation.runningSeconds() * 0.9);
    assertThat(evaluation.describe()).contains("replanned.");
  }

  @Test
  void aKeptSearchSaysWhatTheRunningPlanAndTheBestFoundPredict() {
    var running = initial();
    Instant later = T0.plusSeconds(61);
    var planned = (PlanningOutcome.Planned) run(running, cluster(1.94, true, later), later).outcome();
    var evaluation = planned.evaluation();
    assertThat(evaluation.decision()).isEqualTo(EvaluationDecision.Kept);
    assertThat(evaluation.minRelativeImprovement()).isEqualTo(spec.replanPolicy().minRelativeImprovement());
    assertThat(evaluation.bestFoundSeconds()).isPresent();
    assertThat(evaluation.bestFoundSeconds().getAsDouble())
        .as("kept: the best found is not faster by the policy's minimum")
        .isGreaterThan(evaluation.runningSeconds() * (1 - evaluation.minRelativeImprovement()));
    assertThat(evaluation.describe()).startsWith("The running plan predicts ").endsWith("kept.");
  }

  @Test
  void noSearchNoEvaluation() {
    var running = initial();
    Instant soon = T0.plusSeconds(5);
    var planned = (PlanningOutcome.Planned) run(running, cluster(0.2, true, soon), soon).outcome();
    assertThat(planned.evaluation()).as("inside the window nothing was searched").isNull();
  }

  @Test
  void aThreePercentChangeKeepsThePlan() {
    var running = initial();
    Instant later = T0.plusSeconds(61);
    var result = run(running, cluster(1.94, true, later), later);
    var planned = (PlanningOutcome.Planned) result.outcome();
    assertThat(planned.replanned()).isFalse();
    assertThat(planned.plan()).isEqualTo(running.plan());
    assertThat(result.solved()).as("the changed problem was solved, then judged not worth it").isTrue();
    var again = run(running, cluster(1.94, true, later), later.plusSeconds(1));
    assertThat(again.solved()).as("the same problem is not solved twice").isFalse();
  }

  @Test
  void insideTheWindowEvenABigImprovementWaits() {
    var running = initial();
    Instant soon = T0.plusSeconds(5);
    var result = run(running, cluster(0.2, true, soon), soon);
    assertThat(((PlanningOutcome.Planned) result.outcome()).replanned()).isFalse();
    assertThat(result.recheckAt()).contains(T0.plusSeconds(60));
    assertThat(result.solved()).isFalse();
  }

  @Test
  void aLostNodeReplansAtOnceWithoutIt() {
    var running = initial();
    Instant soon = T0.plusSeconds(5);
    var result = run(running, cluster(2.0, false, soon), soon);
    var planned = (PlanningOutcome.Planned) result.outcome();
    assertThat(result.lostNodes()).containsExactly("b");
    assertThat(planned.reason()).isEqualTo(ReplanReason.PlanInfeasible);
    assertThat(planned.plan().shards()).extracting(s -> s.node()).doesNotContain("b");
  }

  @Test
  void anImpossibleBudgetIsInfeasibleWithTheSmallestFeasibleBudget() {
    var strict = Fixtures.spec("a", 0.0);
    var tight = new LLMDeploymentSpec(strict.model(), strict.workload(), strict.quality(), List.of(2, 3), null,
        strict.placement(), strict.replanPolicy(), strict.solver(), null);
    var tightCosts = ModelCostsFromProfile.toModelCosts(Fixtures.profile(8, 1024), tight.quality().metric(), tight.allowedBits(), tight.allowedRho());
    var result = step.run("llm/strict", 1, tight, new LLMDeploymentStatus(null, null, null, null, null, null),
        tightCosts, cluster(2.0, true, T0), T0);
    assertThat(result.outcome()).isInstanceOf(PlanningOutcome.Infeasible.class);
    var infeasible = (PlanningOutcome.Infeasible) result.outcome();
    assertThat(infeasible.explanation()).isNotBlank();
    assertThat(infeasible.minimalFeasibleBudget()).isPositive();
  }

  /** Hands each problem to CP-SAT, remembers it, and reports every plan as found, not proven. */
  private static final class UnprovenPlanner implements io.dilemma.planner.Planner {
    final List<io.dilemma.planner.PlanningProblem> problems = new ArrayList<>();
    private final CpSatPlanner cpSat = new CpSatPlanner(2);

    @Override
    public io.dilemma.planner.Plan plan(io.dilemma.planner.PlanningProblem problem) {
      problems.add(problem);
      var p = cpSat.plan(problem);
      var r = p.solver();
      var unproven = new io.dilemma.planner.Plan.SolverReport(r.solver(), io.dilemma.planner.ilp.SolverStatus.FEASIBLE,
          r.objectiveSeconds(), r.boundSeconds(), r.gap(), r.wallSeconds(), r.roundingBoundSeconds());
      return new io.dilemma.planner.Plan(p.problemId(), p.layers(), p.shards(), p.embeddingRho(), p.predicted(),
          p.qualityUsed(), p.memoryByNode(), p.quantizationRatio(), unproven, p.infeasibility());
    }

    @Override
    public List<io.dilemma.planner.Plan> planAll(List<io.dilemma.planner.PlanningProblem> all, io.dilemma.planner.Planner.MultiModelMode mode) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * Looking for an improvement, the planner may stop at the first plan that clears the policy's
   * threshold; such a plan is adopted at once, and since it is not known to be the best, the next
   * reconcile after the window looks again (from it, against its own threshold) instead of taking
   * the problem as solved.
   */
  @Test
  void anImprovementStopsAtThePolicysThresholdAndIsLookedAtAgainFromTheNewPlan() {
    UnprovenPlanner planner = new UnprovenPlanner();
    PlanningStep unproven = new PlanningStep(planner, 0);
    var first = unproven.run("llm/chat", 1, spec, new LLMDeploymentStatus(null, null, null, null, null, null),
        costs, cluster(2.0, true, T0), T0);
    assertThat(planner.problems.get(0).options().goodEnoughSeconds()).as("a first plan is searched for to the end").isNull();
    var running = statusAfter(first);

    Instant later = T0.plusSeconds(61);
    var slowed = cluster(0.2, true, later);
    var result = unproven.run("llm/chat", 1, spec, running, costs, slowed, later);
    var priced = PlanRepricer.price(running.plan(), planner.problems.get(planner.problems.size() - 1));
    Double threshold = planner.problems.get(planner.problems.size() - 1).options().goodEnoughSeconds();
    assertThat(threshold).isCloseTo(priced.seconds() * (1 - spec.replanPolicy().minRelativeImprovement()),
        org.assertj.core.data.Offset.offset(1e-6));
    var planned = (PlanningOutcome.Planned) result.outcome();
    assertThat(planned.replanned()).isTrue();
    assertThat(planned.plan().predicted().totalSeconds()).isLessThanOrEqualTo(threshold);
    assertThat(result.recheckAt()).as("look again at once").contains(later);

    int solvesSoFar = planner.problems.size();
    Instant windowEnds = later.plusSeconds(61);
    var next = unproven.run("llm/chat", 1, spec, statusAfter(result), costs, cluster(0.2, true, windowEnds), windowEnds);
    assertThat(next.solved()).as("the same problem is solved again after an unproven plan").isTrue();
    assertThat(planner.problems.get(solvesSoFar).options().goodEnoughSeconds())
        .isCloseTo(planned.plan().predicted().totalSeconds() * (1 - spec.replanPolicy().minRelativeImprovement()),
            org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void aBaselineStrategyIsRolledOutAsItsPlanNotTheIlps() {
    LLMDeploymentSpec allOnOrigin =
        new LLMDeploymentSpec(
            spec.model(), spec.workload(), spec.quality(), spec.allowedBits(), spec.allowedRho(), spec.placement(),
            spec.replanPolicy(), new LLMDeploymentSpec.SolverSpec(5.0, LLMDeploymentSpec.Strategy.MEMORY_PROPORTIONAL),
            spec.worker());
    var result =
        step.run("llm/exo", 1, allOnOrigin, new LLMDeploymentStatus(null, null, null, null, null, null),
            costs, cluster(2.0, true, T0), T0);
    var planned = (PlanningOutcome.Planned) result.outcome();
    assertThat(planned.plan().solver().name()).contains("exo");
    // exo's split uses every node, in cluster order from the origin, at 16 bits
    assertThat(planned.plan().shards()).extracting(s -> s.node()).containsExactly("a", "b", "c");
    assertThat(planned.plan().shards()).allSatisfy(s -> assertThat(s.bits()).containsOnly(16));
  }

  @Test
  void noMoreSolvesRunAtOnceThanThereAreSlots() throws Exception {
    var entered = new java.util.concurrent.atomic.AtomicInteger();
    var release = new java.util.concurrent.CountDownLatch(1);
    var inner = new CpSatPlanner(1);
    io.dilemma.planner.Planner holding =
        new io.dilemma.planner.Planner() {
          @Override
          public io.dilemma.planner.Plan plan(io.dilemma.planner.PlanningProblem problem) {
            entered.incrementAndGet();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return inner.plan(problem);
          }

          @Override
          public List<io.dilemma.planner.Plan> planAll(List<io.dilemma.planner.PlanningProblem> problems, MultiModelMode mode) {
            return inner.planAll(problems, mode);
          }
        };
    PlanningStep twoAtOnce = new PlanningStep(holding, 0, 2);
    var empty = new LLMDeploymentStatus(null, null, null, null, null, null);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<PlanningStep.Result>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String key = "llm/chat-" + i;
        results.add(pool.submit(() -> twoAtOnce.run(key, 1, spec, empty, costs, cluster(2.0, true, T0), T0)));
      }
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
      while (entered.get() < 2 && System.nanoTime() < deadline) Thread.sleep(5);
      assertThat(entered.get()).as("solves started").isEqualTo(2);
      // Without the slots the other two are in the planner within milliseconds.
      Thread.sleep(500);
      assertThat(entered.get()).as("solves started while two run").isEqualTo(2);
      release.countDown();
      for (var result : results) assertThat(result.get().outcome()).isInstanceOf(PlanningOutcome.Planned.class);
      assertThat(entered.get()).isEqualTo(4);
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }
}
