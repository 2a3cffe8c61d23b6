package io.dilemma.operator.rollout;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.api.PlanStatus;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.plan.ProblemBuilder;
import io.dilemma.planner.CutPrecision;
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
    CutPrecision precision = ProblemBuilder.cutPrecision(spec.cutPrecision());
    for (PlanStatus.ShardStatus s : plan.shards()) {
      boolean last = s.index() == count - 1;
      shards.add(
          new ShardPlan(
              ShardPlan.SCHEMA_VERSION,
              deployment,
              namespace,
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
              // The head runs no gRPC server: tokens return along the chain's responses.
              null,
              last || s.outgoingRho() == null
                  ? null
                  : new ShardPlan.CutQuantization(
                      s.outgoingRho(), precision.highBits(), precision.lowBits()),
              spec.placement().keepTokensOnOrigin(),
              servingLimits(s),
              s.index() == 0 ? chatTemplate(spec.serving()) : null));
    }
    return shards;
  }

  /**
   * Only the head serves the chat API, so only its plan carries the template: a changed template
   * replaces the head's pod and leaves the relays running. A template SpecValidation refuses is
   * left out (the head's default): the running plan is still rolled out while its spec is refused,
   * and a head given a template it refuses would not start at all.
   */
  static ShardPlan.ChatTemplate chatTemplate(LLMDeploymentSpec.ServingSpec serving) {
    if (serving == null || serving.chatTemplate() == null) return null;
    ShardPlan.ChatTemplate template = serving.chatTemplate().toShardPlan();
    return template.problems().isEmpty() ? template : null;
  }

  /**
   * The worker's KV cache is bounded by the KV bytes the plan reserved for this shard. A plan
   * recorded before those bytes were (0) keeps the default bound, never above the shard's memory;
   * a shard without layers holds no KV cache, and the worker wants a positive bound.
   */
  static ShardPlan.ServingLimits servingLimits(PlanStatus.ShardStatus shard) {
    var defaults = ShardPlan.ServingLimits.defaults();
    long kv = shard.kvCacheBytes();
    if (kv <= 0) kv = Math.min(defaults.kvCacheBytes(), shard.memoryBytes());
    return new ShardPlan.ServingLimits(
        Math.max(1, kv), defaults.sessionTtlSeconds(), defaults.requestTimeoutMillis());
  }

  /**
   * A PVC path inside the volume, normalised: empty and "." segments dropped. ".." is refused by
   * SpecValidation and again here, so no plan can point a worker outside the volume.
   */
  static String pvcPath(String path) {
    if (path == null) return "";
    StringBuilder normal = new StringBuilder();
    for (String segment : path.split("[/\\\\]")) {
      if (segment.isEmpty() || segment.equals(".")) continue;
      if (segment.equals("..")) {
        throw new IllegalArgumentException(
            "spec.model.source.persistentVolumeClaim.path: '" + path + "' leaves the volume");
      }
      normal.append('/').append(segment);
    }
    return normal.toString();
  }

  /** A PVC is mounted by the operator, so the worker reads it as a local directory. */
  static ShardPlan.ModelSource modelSource(LLMDeploymentSpec.ModelSpec model) {
    var source = model.source();
    String uri;
    if (source.url() != null) {
      uri = source.url();
    } else {
      var pvc = source.persistentVolumeClaim();
      uri = "file://" + MODEL_MOUNT + "/" + pvc.claimName() + pvcPath(pvc.path());
    }
    return new ShardPlan.ModelSource(model.name(), uri, model.manifestSha256(), null);
  }
}
