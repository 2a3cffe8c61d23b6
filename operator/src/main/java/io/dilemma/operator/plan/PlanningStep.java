package io.dilemma.operator.plan;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.MemoryLedger;
import io.dilemma.operator.observe.NodeReading;
import io.dilemma.planner.BaselinePlanner;
import io.dilemma.planner.ModelCosts;
import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanStrategy;
import io.dilemma.planner.Planner;
import io.dilemma.planner.PlanningProblem;
import io.dilemma.planner.ilp.SolverStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Builds the problem, decides whether to replan, and solves: steps 2 and 3 of a reconcile. Knows
 * nothing of Kubernetes beyond the observation it is given.
 */
public final class PlanningStep {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PlanningStep.class);
  private final Planner planner;
  private final BaselinePlanner baselines = new BaselinePlanner();
  private final ProblemBuilder problems;
  private final long shardOverheadBytes;
  /** The last problem solved per deployment: an unchanged problem is not solved again. */
  private final Map<String, PlanningProblem> lastSolved = new ConcurrentHashMap<>();
  /**
   * Solves running at once, at most one per core. More reconcile threads than cores keep the API
   * round trips overlapping, but four solvers on two cores each got half a core against a
   * wall-clock time limit, and stopped with worse plans than one after the other would have found.
   */
  private final Semaphore solverSlots;

  public PlanningStep(Planner planner, long shardOverheadBytes) {
    this(planner, shardOverheadBytes, Runtime.getRuntime().availableProcessors());
  }

  /** @param concurrentSolves solves that may run at once */
  public PlanningStep(Planner planner, long shardOverheadBytes, int concurrentSolves) {
    this.solverSlots = new Semaphore(concurrentSolves, true);
    this.planner = planner;
    this.problems = new ProblemBuilder(shardOverheadBytes);
    this.shardOverheadBytes = shardOverheadBytes;
  }

  /**
   * @param outcome the plan to run (possibly the previous one), or why there is none
   * @param lostNodes nodes of the previous plan that are gone or not Ready
   * @param recheckAt when to look again although nothing changes (end of the stabilization window)
   * @param solveSeconds wall time of each planner run in this step, none when it did not solve
   */
  public record Result(
      PlanningOutcome outcome, List<String> lostNodes, Optional<Instant> recheckAt, List<Double> solveSeconds) {
    /** The planner ran in this step. */
    public boolean solved() {
      return !solveSeconds.isEmpty();
    }
  }

  public Result run(
      String key,
      long generation,
      LLMDeploymentSpec spec,
      LLMDeploymentStatus previous,
      ModelCosts costs,
      ClusterObservation observed,
      Instant now) {
    PlanStatus running = previous.plan();
    PlanningProblem problem;
    try {
      problem = problems.build(key, spec, costs, observed, Map.of(), null);
    } catch (ProblemBuilder.UnplannableException e) {
      return new Result(
          new PlanningOutcome.Unplannable(PlanningOutcome.Cause.NoEligibleNodes, e.getMessage()),
          running == null ? List.of() : lostNodes(running, observed),
          Optional.empty(),
          List.of());
    }
    PlanRepricer.Pricing pricing = running == null ? null : PlanRepricer.price(running, problem);
    List<String> lost = pricing == null ? List.of() : pricing.lostNodes();
    boolean specChanged = running != null && !Long.valueOf(generation).equals(running.plannedGeneration());
    Instant lastReplan =
        previous.lastReplanTime() == null ? null : Instant.parse(previous.lastReplanTime());
    ReplanPolicy.Trigger trigger =
        ReplanPolicy.beforeSolve(
            running != null,
            specChanged,
            pricing == null ? List.of() : pricing.violations(),
            !problem.equals(lastSolved.get(key)),
            lastReplan,
            now,
            spec.replanPolicy());
    if (trigger instanceof ReplanPolicy.Trigger.Keep keep) {
      return new Result(new PlanningOutcome.Planned(running, null, null, null), lost, keep.recheckAt(), List.of());
    }
    Plan hint = running == null ? null : PlanStatusMapping.toPlan(key, running);
    // Looking for an improvement only has to clear the policy's threshold: the first plan that
    // does is adopted at once, instead of after the proof of the best one.
    Double goodEnough =
        trigger instanceof ReplanPolicy.Trigger.LookForImprovement
            ? ReplanPolicy.worthItAtOrBelow(pricing.seconds(), spec.replanPolicy()).orElse(null)
            : null;
    List<Double> solveSeconds = new ArrayList<>();
    Plan candidate = solveWithinRequests(key, spec, costs, observed, hint, goodEnough, solveSeconds);
    boolean stoppedEarly =
        goodEnough != null
            && candidate.feasible()
            && candidate.solver().status() != SolverStatus.OPTIMAL
            && candidate.predicted().totalSeconds() <= goodEnough;
    // A plan adopted before the search ended is not known to be the best: the problem is left
    // unmarked, so the next reconcile (right away, or when the window ends) looks again, from
    // the new plan, and moves only if it finds one that clears the threshold again.
    if (stoppedEarly) lastSolved.remove(key);
    else lastSolved.put(key, problem);
    PlanningOutcome.Evaluation evaluation = null;
    if (trigger instanceof ReplanPolicy.Trigger.LookForImprovement) {
      boolean worthIt =
          candidate.feasible()
              && ReplanPolicy.isWorthIt(
                  pricing.seconds(), candidate.predicted().totalSeconds(), spec.replanPolicy());
      evaluation =
          new PlanningOutcome.Evaluation(
              now,
              pricing.seconds(),
              candidate.feasible() ? java.util.OptionalDouble.of(candidate.predicted().totalSeconds()) : java.util.OptionalDouble.empty(),
              spec.replanPolicy().minRelativeImprovement(),
              worthIt ? EvaluationDecision.Replanned : EvaluationDecision.Kept);
      LOG.info("{}: {}", key, evaluation.describe());
      if (!worthIt) {
        return new Result(new PlanningOutcome.Planned(running, null, null, evaluation), lost, Optional.empty(), solveSeconds);
      }
    }
    if (!candidate.feasible()) {
      var why = candidate.infeasibility();
      return new Result(
          new PlanningOutcome.Infeasible(why.explanation(), why.minimalFeasibleBudget()),
          lost,
          Optional.empty(),
          solveSeconds);
    }
    ReplanReason reason =
        trigger instanceof ReplanPolicy.Trigger.Replan replan ? replan.reason() : ReplanReason.Improvement;
    PlanStatus plan = PlanStatusMapping.toStatus(candidate, generation);
    boolean changed = running == null || !plan.planId().equals(running.planId());
    return new Result(
        new PlanningOutcome.Planned(plan, reason, changed ? now : null, evaluation),
        lost,
        stoppedEarly ? Optional.of(now) : Optional.empty(),
        solveSeconds);
  }

  /**
   * Solves, and if the plan puts several shards on one node (each pays the runtime overhead, the
   * problem reserved it once), reserves one more overhead there and solves again.
   */
  private Plan solveWithinRequests(
      String key,
      LLMDeploymentSpec spec,
      ModelCosts costs,
      ClusterObservation observed,
      Plan hint,
      Double goodEnough,
      List<Double> solveSeconds) {
    Map<String, Long> extra = new HashMap<>();
    Plan plan = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      PlanningProblem problem;
      try {
        problem = problems.build(key, spec, costs, observed, extra, hint, goodEnough);
      } catch (ProblemBuilder.UnplannableException e) {
        throw new IllegalStateException("the problem was buildable a moment ago", e);
      }
      PlanStrategy strategy = ProblemBuilder.strategy(spec.solver().strategy());
      solverSlots.acquireUninterruptibly();
      long start = System.nanoTime();
      try {
        plan = strategy == PlanStrategy.JOINT_ILP ? planner.plan(problem) : baselines.plan(problem, strategy);
      } finally {
        solverSlots.release();
      }
      solveSeconds.add((System.nanoTime() - start) / 1e9);
      if (!plan.feasible()) return plan;
      Map<String, Long> overBy = overcommitted(plan, observed);
      if (overBy.isEmpty()) return plan;
      overBy.forEach((node, bytes) -> extra.merge(node, bytes, Long::sum));
    }
    return plan;
  }

  private Map<String, Long> overcommitted(Plan plan, ClusterObservation observed) {
    Map<String, Long> requests =
        MemoryLedger.requestsByNode(PlanStatusMapping.toStatus(plan, 0), shardOverheadBytes);
    Map<String, Long> over = new HashMap<>();
    for (NodeReading node : observed.nodes()) {
      long free = observed.freeBytes(node.node().name());
      long asked = requests.getOrDefault(node.node().name(), 0L);
      if (asked > free) over.put(node.node().name(), asked - free);
    }
    return over;
  }

  private static List<String> lostNodes(PlanStatus running, ClusterObservation observed) {
    var ready =
        observed.nodes().stream().filter(NodeReading::ready).map(n -> n.node().name()).toList();
    return running.shards().stream()
        .map(PlanStatus.ShardStatus::node)
        .distinct()
        .filter(n -> !ready.contains(n))
        .toList();
  }

  public void forget(String key) {
    lastSolved.remove(key);
  }
}
