package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dilemma.planinput.PlanningInputs;
import io.dilemma.planner.Cluster;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.Link;
import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanRepricerTest {
  private static final Path EXAMPLE = Path.of("../deploy/examples/opt-350m-edge");

  /** The paper-scale example with its gigabit LAN slowed to Wi-Fi, so cuts cost real time. */
  private static PlanningProblem example(boolean keepTokensOnOrigin) {
    PlanningProblem p =
        PlanningInputs.load(EXAMPLE.resolve("profile.json"), EXAMPLE.resolve("cluster.yaml"), null, Duration.ofSeconds(2));
    List<Link> wifi =
        p.cluster().links().stream()
            .map(l -> l.bandwidth() >= 1e8 ? new Link(l.from(), l.to(), 20e6 / 8, 0.002) : l)
            .toList();
    var o = p.options();
    return new PlanningProblem(p.id(), p.model(), new Cluster(p.cluster().nodes(), wifi, p.cluster().origin()),
        p.workload(), p.qualityBudget(),
        new PlanningOptions(o.allowedBits(), o.allowedRho(), keepTokensOnOrigin, o.timeLimit(), null));
  }

  @Test
  void aPlanPricedUnderItsOwnProblemCostsWhatThePlannerPredicted() {
    for (boolean keep : new boolean[] {true, false}) {
      PlanningProblem problem = example(keep);
      Plan plan = new CpSatPlanner(2).plan(problem);
      var status = PlanStatusMapping.toStatus(plan, 1);
      assertThat(status.embeddingCutRho()).isEqualTo(plan.embeddingRho());
      assertThat(PlanStatusMapping.toPlan(plan.problemId(), status).embeddingRho()).isEqualTo(plan.embeddingRho());
      var pricing = PlanRepricer.price(status, problem);
      assertThat(pricing.violations()).as("keepTokensOnOrigin=" + keep).isEmpty();
      assertThat(pricing.seconds())
          .as("keepTokensOnOrigin=%s, shards %s", keep, plan.shards())
          .isCloseTo(plan.predicted().totalSeconds(), within(1e-9));
    }
  }

  @Test
  void aLostNodeIsNamedAndTheNodeShrinkingBelowThePlanIsAViolation() {
    PlanningProblem problem = example(true);
    Plan plan = new CpSatPlanner(2).plan(problem);
    var status = PlanStatusMapping.toStatus(plan, 1);
    String used = plan.shards().get(plan.shards().size() - 1).node();

    var without = problem.cluster().nodes().stream().filter(n -> !n.name().equals(used)).toList();
    var links = problem.cluster().links().stream().filter(l -> !l.from().equals(used) && !l.to().equals(used)).toList();
    PlanningProblem lost = new PlanningProblem(problem.id(), problem.model(),
        new Cluster(without, links, problem.cluster().origin()), problem.workload(), problem.qualityBudget(), problem.options());
    assertThat(PlanRepricer.price(status, lost).lostNodes()).containsExactly(used);

    List<ComputeNode> shrunk = problem.cluster().nodes().stream()
        .map(n -> n.name().equals(used) ? n.withMemoryBytes(1) : n).toList();
    PlanningProblem small = new PlanningProblem(problem.id(), problem.model(),
        new Cluster(shrunk, problem.cluster().links(), problem.cluster().origin()), problem.workload(), problem.qualityBudget(), problem.options());
    var pricing = PlanRepricer.price(status, small);
    assertThat(pricing.violations()).anyMatch(v -> v.startsWith(used + " needs"));
    assertThat(pricing.seconds()).isNaN();
  }
}
