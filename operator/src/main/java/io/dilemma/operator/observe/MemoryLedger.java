package io.dilemma.operator.observe;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Memory the plans of all LLMDeployments hold per node, so that one deployment plans only on what
 * the others leave. Observing, solving and recording happen under one lock: two deployments that
 * plan at the same moment cannot both take the same bytes.
 */
public final class MemoryLedger {
  private final Map<String, Map<String, Long>> held = new HashMap<>();

  /** Runs {@code planning} with exclusive use of the ledger. */
  public synchronized <T> T exclusively(Supplier<T> planning) {
    return planning.get();
  }

  /**
   * Bytes held on each node by every deployment except {@code key}; {@code persisted} supplies
   * holdings of deployments this process has not planned yet (read from their status).
   */
  public synchronized Map<String, Long> heldByOthers(
      String key, Map<String, Map<String, Long>> persisted) {
    Map<String, Map<String, Long>> all = new HashMap<>(persisted);
    all.putAll(held);
    Map<String, Long> sum = new HashMap<>();
    all.forEach(
        (owner, byNode) -> {
          if (!owner.equals(key)) byNode.forEach((node, bytes) -> sum.merge(node, bytes, Long::sum));
        });
    return sum;
  }

  public synchronized void hold(String key, Map<String, Long> byNode) {
    held.put(key, Map.copyOf(byNode));
  }

  /** What a plan's pods request per node: each shard's planned bytes plus the runtime overhead. */
  public static Map<String, Long> requestsByNode(
      io.dilemma.api.PlanStatus plan, long shardOverheadBytes) {
    Map<String, Long> byNode = new HashMap<>();
    if (plan == null) return byNode;
    for (var shard : plan.shards()) {
      byNode.merge(shard.node(), shard.memoryBytes() + shardOverheadBytes, Long::sum);
    }
    return byNode;
  }

  public synchronized void release(String key) {
    held.remove(key);
  }
}
