package io.dilemma.worker.serving.plan;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import java.util.ArrayList;
import java.util.List;

/**
 * The shard plans of a pipeline on one machine, without an operator: a model split into layer
 * ranges, one {@code serve} process per range on loopback. Shard i after the head listens for gRPC
 * on {@code grpcBase + i - 1}; shard i serves HTTP on {@code httpBase + i}.
 */
public final class LocalShardPlans {
  /** A contiguous range of decoder layers, both ends inclusive. */
  public record LayerRange(int first, int last) {
    public int count() {
      return last - first + 1;
    }

    @Override
    public String toString() {
      return first == last ? Integer.toString(first) : first + "-" + last;
    }
  }

  /** Where the shards listen. */
  public record Ports(String host, int grpcBase, int httpBase) {
    public int grpc(int shard) {
      return grpcBase + shard - 1;
    }

    public int http(int shard) {
      return httpBase + shard;
    }
  }

  private LocalShardPlans() {}

  /**
   * Parses {@code --layers 0-1,2,3-5}: one range per shard, in order, covering every layer of the
   * model exactly once.
   */
  public static List<LayerRange> parseLayers(String text, int modelLayers) {
    List<LayerRange> ranges = new ArrayList<>();
    int expectedFirst = 0;
    for (String part : text.split(",")) {
      String range = part.trim();
      LayerRange parsed = parseRange(range);
      if (parsed.first() != expectedFirst) {
        throw new IllegalArgumentException(
            "--layers: shard " + ranges.size() + " starts at layer " + parsed.first() + ", expected " + expectedFirst
                + " (ranges must follow each other from layer 0)");
      }
      if (parsed.last() >= modelLayers) {
        throw new IllegalArgumentException("--layers: '" + range + "' goes past the model's last layer " + (modelLayers - 1));
      }
      ranges.add(parsed);
      expectedFirst = parsed.last() + 1;
    }
    if (expectedFirst != modelLayers) {
      throw new IllegalArgumentException(
          "--layers: covers layers 0-" + (expectedFirst - 1) + " but the model has layers 0-" + (modelLayers - 1));
    }
    return ranges;
  }

  private static LayerRange parseRange(String range) {
    String[] ends = range.split("-", -1);
    try {
      if (ends.length == 1) {
        int layer = Integer.parseInt(ends[0]);
        return new LayerRange(layer, layer);
      }
      if (ends.length == 2) {
        int first = Integer.parseInt(ends[0]);
        int last = Integer.parseInt(ends[1]);
        if (first <= last) {
          return new LayerRange(first, last);
        }
      }
    } catch (NumberFormatException notANumber) {
      // reported below with the range as the user wrote it
    }
    throw new IllegalArgumentException("--layers: '" + range + "' is not a layer or a range like 0-3");
  }

  /**
   * One plan per range. {@code layerBits} holds the weight bits of every layer of the model;
   * {@code cut} applies at every cut.
   */
  public static List<ShardPlan> build(
      String deployment,
      String modelUri,
      List<LayerRange> ranges,
      List<Integer> layerBits,
      CutQuantization cut,
      boolean keepTokensOnOrigin,
      Ports ports) {
    int n = ranges.size();
    String planId = deployment + "-" + Integer.toHexString(ranges.hashCode() * 31 + layerBits.hashCode());
    List<ShardPlan> plans = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      LayerRange range = ranges.get(i);
      boolean last = i == n - 1;
      plans.add(
          new ShardPlan(
              ShardPlan.SCHEMA_VERSION,
              deployment,
              null,
              planId,
              i,
              n,
              ports.host(),
              new ModelSource(deployment, modelUri, null, null),
              range.first(),
              range.last(),
              layerBits.subList(range.first(), range.last() + 1),
              i == 0,
              last,
              last ? null : ports.host() + ":" + ports.grpc(i + 1),
              null,
              last ? null : cut,
              keepTokensOnOrigin,
              ServingLimits.defaults()));
    }
    for (ShardPlan plan : plans) {
      String problem = ShardPlanFile.problem(plan);
      if (problem != null) {
        throw new IllegalArgumentException("shard " + plan.shardIndex() + ": " + problem);
      }
    }
    return plans;
  }
}
