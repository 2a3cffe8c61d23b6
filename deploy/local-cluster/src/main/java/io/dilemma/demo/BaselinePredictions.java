package io.dilemma.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.ClusterObserver;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.ProfileReader;
import io.dilemma.operator.plan.PlanRepricer;
import io.dilemma.operator.plan.ProblemBuilder;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.BaselinePlanner;
import io.dilemma.planner.Plan;
import io.dilemma.planner.PlanStrategy;
import io.dilemma.planner.PlanningProblem;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What each baseline would predict on the cluster as the operator sees it now: the same nodes and
 * EdgeLinks read through the operator's own observer, the same profile reduction, problem builder
 * and baseline rules, so the figures come from the one evaluator the ILP's plan was priced by.
 */
final class BaselinePredictions {
  /** A baseline's prediction, or why its rule gives no plan here (memory, say). */
  record Prediction(PlanStrategy strategy, Double totalSeconds, String layout, String refusal) {}

  /**
   * The baselines and the running plan, priced together on one reading of the cluster: the
   * figures move between the solve and this reading, so the plan's own status prediction is not
   * the number to hold them against.
   */
  record Comparison(double runningPlanSeconds, List<Prediction> baselines) {}

  private BaselinePredictions() {}

  static Comparison price(KubernetesClient client, LLMDeployment deployment, Path chart) throws Exception {
    var spec = deployment.getSpec();
    String namespace = deployment.getMetadata().getNamespace();
    var configMap = client.configMaps().inNamespace(namespace).withName(spec.model().profile().name()).get();
    var costs = new ProfileReader(ModelCostsFromProfile::toModelCosts).costs(namespace, spec.model().profile(), configMap, spec);
    JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(chart.resolve("values.yaml").toFile());
    JsonNode operator = values.path("operator");
    long overhead = Quantity.getAmountInBytes(new Quantity(operator.path("shardOverhead").asText("256Mi"))).longValueExact();
    LinkReading.Freshness defaults = LinkReading.Freshness.defaults();
    LinkReading.Freshness freshness = new LinkReading.Freshness(
        Duration.ofSeconds(operator.path("edgeLinkTtlSeconds").asLong(defaults.ttl().toSeconds())),
        defaults.fallbackBandwidth(), defaults.fallbackLatencySeconds());
    ClusterObservation observed = ClusterObserver.observe(spec.placement(), client.nodes().list().getItems(),
        client.resources(EdgeLink.class).list().getItems(), Map.of(), freshness, Instant.now());
    PlanningProblem problem = new ProblemBuilder(overhead).build(namespace + "/" + deployment.getMetadata().getName(),
        spec, costs, observed, Map.of(), null);
    BaselinePlanner planner = new BaselinePlanner();
    List<Prediction> predictions = new ArrayList<>();
    for (PlanStrategy strategy : PlanStrategy.values()) {
      if (strategy == PlanStrategy.JOINT_ILP) continue;
      Plan plan = planner.plan(problem, strategy);
      predictions.add(plan.feasible()
          ? new Prediction(strategy, plan.predicted().totalSeconds(), layout(plan), null)
          : new Prediction(strategy, null, "", plan.infeasibility().explanation()));
    }
    double running = PlanRepricer.price(deployment.getStatus().plan(), problem).seconds();
    return new Comparison(running, predictions);
  }

  private static String layout(Plan plan) {
    StringBuilder b = new StringBuilder();
    for (Plan.Shard s : plan.shards()) {
      if (b.length() > 0) b.append(" | ");
      b.append(s.node()).append(' ').append(s.firstLayer()).append('-').append(s.lastLayer());
    }
    return b.toString();
  }
}
