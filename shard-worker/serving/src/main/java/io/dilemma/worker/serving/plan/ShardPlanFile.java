package io.dilemma.worker.serving.plan;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code shard.json} and checks that it describes a shard this worker can serve. */
public final class ShardPlanFile {
  private ShardPlanFile() {}

  public static ShardPlan read(Path file) throws PlanException {
    if (!Files.isRegularFile(file)) {
      throw new PlanException(file + ": no such shard plan file");
    }
    ShardPlan plan;
    try {
      plan = ContractJson.read(file, ShardPlan.class);
    } catch (IOException | RuntimeException e) {
      throw new PlanException(file + ": not a valid shard plan: " + firstLine(e.getMessage()));
    }
    String problem = problem(plan);
    if (problem != null) {
      throw new PlanException(file + ": " + problem);
    }
    return plan;
  }

  /** The first thing wrong with {@code plan}, or null. */
  static String problem(ShardPlan plan) {
    if (plan.schemaVersion() != ShardPlan.SCHEMA_VERSION) {
      return "schemaVersion " + plan.schemaVersion() + " is not supported (expected " + ShardPlan.SCHEMA_VERSION + ")";
    }
    if (plan.planId() == null || plan.planId().isBlank()) {
      return "planId is required";
    }
    if (plan.model() == null || plan.model().uri() == null) {
      return "model.uri is required";
    }
    if (plan.shardCount() < 1 || plan.shardIndex() < 0 || plan.shardIndex() >= plan.shardCount()) {
      return "shardIndex " + plan.shardIndex() + " is not within shardCount " + plan.shardCount();
    }
    if (plan.head() != (plan.shardIndex() == 0)) {
      return "head must be true exactly for shardIndex 0";
    }
    if (plan.lmHead() != (plan.shardIndex() == plan.shardCount() - 1)) {
      return "lmHead must be true exactly for the last shard (shardIndex " + (plan.shardCount() - 1) + ")";
    }
    if ((plan.firstLayer() < 0) != (plan.lastLayer() < 0) || plan.firstLayer() > plan.lastLayer()) {
      return "layers " + plan.firstLayer() + ".." + plan.lastLayer() + " are not a range (use -1..-1 for none)";
    }
    if (plan.layerBits().size() != plan.layerCount()) {
      return "layerBits has " + plan.layerBits().size() + " entries for " + plan.layerCount() + " layers";
    }
    if (!plan.head() && plan.layerCount() == 0) {
      return "a shard after the head must run at least one layer";
    }
    if (!plan.lmHead() && (plan.nextShard() == null || !plan.nextShard().contains(":"))) {
      return "nextShard must be host:port for every shard but the last";
    }
    if (!plan.lmHead()) {
      String cut = cutProblem(plan.outgoingCut() == null ? CutQuantization.none() : plan.outgoingCut());
      if (cut != null) {
        return "outgoingCut: " + cut;
      }
    }
    if (plan.keepTokensOnOrigin() && plan.head() && !plan.lmHead() && plan.layerCount() == 0) {
      return "keepTokensOnOrigin needs the head to run at least one layer before the first cut, "
          + "or the embedding output would leave the origin";
    }
    ShardPlan.ServingLimits limits = plan.limits();
    if (limits != null
        && (limits.kvCacheBytes() <= 0 || limits.sessionTtlSeconds() <= 0 || limits.requestTimeoutMillis() <= 0)) {
      return "limits must all be positive";
    }
    if (plan.chatTemplate() != null) {
      if (!plan.head()) return "chatTemplate is read by the head only (shardIndex 0)";
      var problems = plan.chatTemplate().problems();
      if (!problems.isEmpty()) return "chatTemplate." + problems.get(0);
    }
    return null;
  }

  private static String cutProblem(CutQuantization cut) {
    boolean unquantized = cut.highBits() == 16 && cut.lowBits() == 16;
    boolean quantized = (cut.highBits() == 8 || cut.highBits() == 4) && (cut.lowBits() == 8 || cut.lowBits() == 4);
    if (!unquantized && !quantized) {
      return "bits " + cut.highBits() + "/" + cut.lowBits() + " must be 8 or 4 each, or 16/16 for none";
    }
    if (!(cut.rho() >= 0 && cut.rho() <= 1)) {
      return "rho " + cut.rho() + " is outside [0, 1]";
    }
    return null;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
