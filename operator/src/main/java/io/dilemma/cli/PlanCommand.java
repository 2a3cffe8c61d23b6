package io.dilemma.cli;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.contract.ContractJson;
import io.dilemma.planinput.InvalidInputException;
import io.dilemma.planinput.PlanningInputs;
import io.dilemma.planinput.Quantity;
import io.dilemma.planner.CpSatPlanner;
import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanningProblem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dilemma plan}: solve one planning problem from files and print the plan. */
@Command(
    name = "plan",
    description = "Plan placement and bit widths for a model profile on a cluster.")
final class PlanCommand extends DilemmaCommand {
  enum Output {
    table,
    json
  }

  @Parameters(
      arity = "0..1",
      paramLabel = "DIR",
      description =
          "directory with profile.json and cluster.yaml (or cluster.json); without it and without"
              + " --profile/--cluster, the embedded paper-scale example (deploy/examples/opt-350m-edge)")
  Path directory;

  @Option(names = "--profile", description = "model profile (profile.json from shard-worker profile)")
  Path profile;

  @Option(names = "--cluster", description = "cluster file, YAML or JSON (schema: operator/PLANNER.md)")
  Path cluster;

  @Option(names = "--budget", description = "quality budget Q; overrides the cluster file's")
  Double budget;

  @Option(names = "--time-limit", description = "solver time limit, e.g. 2s or 500ms")
  String timeLimit;

  @Option(names = "--output", defaultValue = "table", description = "table or json")
  Output output;

  @Override
  protected int execute() {
    PlanningProblem problem = problem();
    Plan plan = new CpSatPlanner().plan(problem);
    PrintWriter out = out();
    if (output == Output.json) {
      out.println(ContractJson.write(plan));
    } else {
      out.print(PlanTable.render(problem, plan));
    }
    out.flush();
    return plan.feasible() ? ExitCode.OK : ExitCode.NO_PLAN;
  }

  private PlanningProblem problem() {
    Path profileFile = profile;
    Path clusterFile = cluster;
    if (directory != null) {
      if (!Files.isDirectory(directory)) {
        throw new InvalidInputException(directory.toString(), "", "not a directory");
      }
      if (profileFile == null) profileFile = PlanningInputs.profileIn(directory);
      if (clusterFile == null) clusterFile = PlanningInputs.clusterIn(directory);
    }
    if (directory == null && profileFile == null && clusterFile == null) {
      Path example = EmbeddedExample.extract();
      profileFile = PlanningInputs.profileIn(example);
      clusterFile = PlanningInputs.clusterIn(example);
    }
    if (profileFile == null || clusterFile == null) {
      throw new InvalidInputException(null, "", "give a directory, or both --profile and --cluster");
    }
    if (budget != null && !(budget >= 0 && Double.isFinite(budget))) {
      throw new InvalidInputException(null, "--budget", "must be a finite number ≥ 0, not " + budget);
    }
    return PlanningInputs.load(profileFile, clusterFile, budget, limit());
  }

  private Duration limit() {
    if (timeLimit == null) return null;
    try {
      double seconds = Quantity.SECONDS.parse(timeLimit);
      if (!(seconds > 0)) throw new IllegalArgumentException("must be > 0");
      return Duration.ofNanos((long) (seconds * 1e9));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(null, "--time-limit", e.getMessage());
    }
  }
}
