package io.dilemma.planinput;

import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.PlanningProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Builds a {@link PlanningProblem} from a profile file and a cluster file, the way {@code dilemma
 * plan} reads them. A directory holds {@code profile.json} and {@code cluster.yaml} (or {@code
 * cluster.json}).
 */
public final class PlanningInputs {
  private PlanningInputs() {}

  /**
   * @param budgetOverride Q from the command line, or null to use the cluster file's
   * @param timeLimitOverride solver limit from the command line, or null
   */
  public static PlanningProblem load(
      Path profileFile, Path clusterFile, Double budgetOverride, Duration timeLimitOverride) {
    ClusterFile cluster = ClusterFile.read(clusterFile);
    ModelProfile profile = ProfileFile.read(profileFile);
    Double budget = budgetOverride != null ? budgetOverride : cluster.qualityBudget();
    if (budget == null) {
      throw new InvalidInputException(
          clusterFile.toString(), "quality.budget", "missing (set it in the file or pass --budget)");
    }
    PlanningOptions options = cluster.options();
    if (timeLimitOverride != null) {
      options =
          new PlanningOptions(
              options.allowedBits(), options.allowedRho(), options.keepTokensOnOrigin(), timeLimitOverride, null);
    }
    ModelCosts costs;
    try {
      costs = toCosts(profile, cluster.metric(), options);
    } catch (InvalidInputException e) {
      throw e.inFile(profileFile.toString());
    }
    return new PlanningProblem(costs.name(), costs, cluster.cluster(), cluster.workload(), budget, options);
  }

  private static ModelCosts toCosts(ModelProfile profile, QualityMetric metric, PlanningOptions options) {
    return ModelCostsFromProfile.toModelCosts(profile, metric, options.allowedBits(), options.allowedRho());
  }

  /** The cluster file in a directory: cluster.yaml, else cluster.yml, else cluster.json. */
  public static Path clusterIn(Path directory) {
    for (String name : new String[] {"cluster.yaml", "cluster.yml", "cluster.json"}) {
      Path candidate = directory.resolve(name);
      if (Files.exists(candidate)) return candidate;
    }
    throw new InvalidInputException(directory.toString(), "", "no cluster.yaml, cluster.yml or cluster.json in this directory");
  }

  public static Path profileIn(Path directory) {
    Path profile = directory.resolve("profile.json");
    if (!Files.exists(profile)) {
      throw new InvalidInputException(directory.toString(), "", "no profile.json in this directory");
    }
    return profile;
  }
}
