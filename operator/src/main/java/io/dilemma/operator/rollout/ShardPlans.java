package io.dilemma.operator.rollout;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.PlanStatus;
import io.dilemma.contract.ShardPlan;
import java.util.ArrayList;
import java.util.List;

/** Splits a plan into the per-shard contracts the shard-workers read. Pure. */
public final class ShardPlans {
  /** Where the operator mounts a model PersistentVolumeClaim in the worker pod. */
  public static final String MODEL_MOUNT = "/models";

  private ShardPlans() {}

  public static List<ShardPlan> of(
      String deployment, String namespace, LLMDeploymentSpec spec, PlanStatus plan) {
    List<ShardPlan> shards = new ArrayList<>();
    int count = plan.shards().size();
    String headAddress = ShardNames.grpcAddress(deployment, plan.planId(), 0, namespace);
    for (PlanStatus.ShardStatus s : plan.shards()) {
      boolean last = s.index() == count - 1;
      shards.add(
          new ShardPlan(
              ShardPlan.SCHEMA_VERSION,
              deployment,
              plan.planId(),
              s.index(),
              count,
              s.node(),
              modelSource(spec.model()),
              s.firstLayer(),
              s.lastLayer(),
              s.bits(),
              s.index() == 0,
              last,
              last ? null : ShardNames.grpcAddress(deployment, plan.planId(), s.index() + 1, namespace),
              headAddress,
              last || s.outgoingRho() == null
                  ? null
                  : new ShardPlan.CutQuantization(s.outgoingRho(), 8, 4),
              spec.placement().keepTokensOnOrigin(),
              ShardPlan.ServingLimits.defaults()));
    }
    return shards;
  }

  /** A PVC is mounted by the operator, so the worker reads it as a local directory. */
  static ShardPlan.ModelSource modelSource(LLMDeploymentSpec.ModelSpec model) {
    var source = model.source();
    String uri;
    if (source.url() != null) {
      uri = source.url();
    } else {
      var pvc = source.persistentVolumeClaim();
      String path = pvc.path() == null ? "" : "/" + pvc.path().replaceAll("^/+", "");
      uri = "file://" + MODEL_MOUNT + "/" + pvc.claimName() + path;
    }
    return new ShardPlan.ModelSource(model.name(), uri, null, null);
  }
}
