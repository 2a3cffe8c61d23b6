package io.dilemma.cli.bench;

import io.dilemma.cli.Seconds;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.Plan;
import io.dilemma.planner.Planner;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.bench.InstanceFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Three 7B-class models with different workloads sharing the 7B family's cluster: Σ T_total when
 * planned JOINTly against SEQUENTIALly (priority order), and the gap between them.
 */
final class MultiModelBench {
  private MultiModelBench() {}

  static String run(int workers, double limitSeconds) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "%nmulti-model: 3 x 7B on the 7B cluster, limit %.0f s%n", limitSeconds));
    s.append("(JOINT starts from the SEQUENTIAL plans)\n");
    s.append("| seed | SEQUENTIAL ΣT | JOINT ΣT | JOINT status | joint gain |\n| --- | --- | --- | --- | --- |\n");
    for (int seed = 1; seed <= 3; seed++) {
      PlanningProblem base = InstanceFamily.SEVEN_B.generate(seed, BenchPlannerCommand.seconds(limitSeconds));
      List<PlanningProblem> problems = new ArrayList<>();
      for (int j = 0; j < 3; j++) {
        PlanningProblem model = InstanceFamily.SEVEN_B.generate(seed * 100 + j, BenchPlannerCommand.seconds(limitSeconds));
        problems.add(
            new PlanningProblem(
                "model-" + j, model.model(), base.cluster(), model.workload(), model.qualityBudget(), base.options()));
      }
      CpSatPlanner planner = new CpSatPlanner(workers);
      double sequential = total(planner.planAll(problems, Planner.MultiModelMode.SEQUENTIAL));
      List<Plan> joint = planner.planAll(problems, Planner.MultiModelMode.JOINT);
      double jointTotal = total(joint);
      s.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s | %s | %s |%n",
              seed,
              Double.isNaN(sequential) ? "infeasible" : Seconds.human(sequential),
              Double.isNaN(jointTotal) ? "infeasible" : Seconds.human(jointTotal),
              joint.get(0).solver().status(),
              Double.isNaN(sequential) || Double.isNaN(jointTotal)
                  ? "n/a"
                  : String.format(Locale.ROOT, "%.1f%%", 100 * (sequential - jointTotal) / sequential)));
    }
    return s.toString();
  }

  private static double total(List<Plan> plans) {
    double sum = 0;
    for (Plan p : plans) {
      if (!p.feasible()) return Double.NaN;
      sum += p.predicted().totalSeconds();
    }
    return sum;
  }
}
