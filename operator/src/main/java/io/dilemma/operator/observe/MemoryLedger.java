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

  /**
   * Who holds what on each node, every deployment except {@code key}: node → deployment → bytes,
   * sorted, for messages that must name the holders.
   */
  public synchronized Map<String, Map<String, Long>> holdersByNode(
      String key, Map<String, Map<String, Long>> persisted) {
    Map<String, Map<String, Long>> all = new HashMap<>(persisted);
    all.putAll(held);
    Map<String, Map<String, Long>> byNode = new java.util.TreeMap<>();
    all.forEach(
        (owner, nodes) -> {
          if (owner.equals(key)) return;
          nodes.forEach(
              (node, bytes) -> {
                if (bytes > 0) byNode.computeIfAbsent(node, n -> new java.util.TreeMap<>()).put(owner, bytes);
              });
        });
    return byNode;
  }

  /**
   * One sentence naming the other deployments holding memory on the given nodes, or empty: an
   * infeasible plan may be infeasible only because of them.
   */
  public static String holdersNote(Map<String, Map<String, Long>> holdersByNode, java.util.Set<String> nodes) {
    StringBuilder note = new StringBuilder();
    holdersByNode.forEach(
        (node, owners) -> {
          if (!nodes.contains(node)) return;
          note.append(note.length() == 0 ? "" : "; ").append(node).append(": ");
          StringBuilder list = new StringBuilder();
          owners.forEach(
              (owner, bytes) ->
                  list.append(list.length() == 0 ? "" : ", ").append(owner).append(" (")
                      .append(String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0)).append(")"));
          note.append(list);
        });
    return note.length() == 0 ? "" : " Memory held by other deployments: " + note + ".";
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
