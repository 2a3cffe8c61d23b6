package io.dilemma.planner;

/**
 * Everything one solve needs.
 *
 * @param id identifies the problem (e.g. namespace/name of the LLMDeployment)
 * @param model model costs, reduced to the budget's metric
 * @param cluster nodes, links and origin
 * @param workload prompt and output tokens
 * @param qualityBudget Q: Σ layer quality + Σ cut quality must stay ≤ Q
 * @param options solver options
 */
public record PlanningProblem(
    String id,
    ModelCosts model,
    Cluster cluster,
    Workload workload,
    double qualityBudget,
    PlanningOptions options) {}
