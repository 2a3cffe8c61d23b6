package io.dilemma.operator.observe;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Memory the plans of all LLMDeployments hold per node, so that one deployment plans only on what
 * the others leave.
 *
 * <p>Planning is optimistic. A deployment reads the holdings ({@link #snapshot}), solves without
 * any lock, and then {@link #record}s its plan's holdings, which succeeds only if what it adds on
 * each node still fits beside what the others hold at that moment. Only read, check and record
 * run under the lock, so solves of different deployments overlap, and still no two can take the
 * same bytes: a deployment whose holdings no longer fit plans again on the new ones.
 */
public final class MemoryLedger {
  private final Map<String, Map<String, Long>> held = new HashMap<>();
  /** Counts every change of the holdings, so a planner can tell they moved while it solved. */
  private long version;

  /**
   * What the other deployments held at one moment.
   *
   * @param version the ledger's version at that moment
   * @param heldByOthers bytes per node, every deployment but the one asking
   */
  public record Snapshot(long version, Map<String, Long> heldByOthers) {
    public Snapshot {
      heldByOthers = Map.copyOf(heldByOthers);
    }
  }

  /**
   * Runs {@code planning} with exclusive use of the ledger: the last resort of a deployment that
   * kept losing the race to record, so that it always ends.
   */
  public synchronized <T> T exclusively(Supplier<T> planning) {
    return planning.get();
  }

  /**
   * The holdings of every deployment except {@code key}; {@code persisted} supplies holdings of
   * deployments this process has not planned yet (read from their status).
   */
  public synchronized Snapshot snapshot(String key, Map<String, Map<String, Long>> persisted) {
    return new Snapshot(version, heldByOthers(key, persisted));
  }

  /** True when the holdings changed after {@code snapshot} was taken. */
  public synchronized boolean movedSince(Snapshot snapshot) {
    return version != snapshot.version();
  }

  /**
   * Bytes held on each node by every deployment except {@code key}; {@code persisted} supplies
   * holdings of deployments this process has not planned yet (read from their status).
   */
  public synchronized Map<String, Long> heldByOthers(
      String key, Map<String, Map<String, Long>> persisted) {
    Map<String, Long> sum = new HashMap<>();
    everyone(persisted)
        .forEach(
            (owner, byNode) -> {
              if (!owner.equals(key)) byNode.forEach((node, bytes) -> sum.merge(node, bytes, Long::sum));
            });
    return sum;
  }

  /**
   * Records {@code byNode} as what {@code key} holds, if on every node where it asks for more than
   * it holds now, the others' holdings at this moment plus its own stay within {@code
   * allocatable}. Holding less, or the same, is always recorded: a node that shrank under a
   * running plan must not stop that plan from giving memory back.
   *
   * @param allocatable bytes each node offers all deployments together
   * @param persisted holdings of deployments this process has not planned yet
   * @return false, recording nothing, when the plan no longer fits: plan again on a new snapshot
   */
  public synchronized boolean record(
      String key,
      Map<String, Long> byNode,
      Map<String, Long> allocatable,
      Map<String, Map<String, Long>> persisted) {
    Map<String, Long> own = everyone(persisted).getOrDefault(key, Map.of());
    Map<String, Long> others = heldByOthers(key, persisted);
    for (var ask : byNode.entrySet()) {
      String node = ask.getKey();
      if (ask.getValue() <= own.getOrDefault(node, 0L)) continue;
      long room = allocatable.getOrDefault(node, 0L) - others.getOrDefault(node, 0L);
      if (ask.getValue() > room) return false;
    }
    held.put(key, Map.copyOf(byNode));
    version++;
    return true;
  }

  /** Who holds what: this process's records over what the statuses say. */
  private Map<String, Map<String, Long>> everyone(Map<String, Map<String, Long>> persisted) {
    Map<String, Map<String, Long>> all = new HashMap<>(persisted);
    all.putAll(held);
    return all;
  }

  /**
   * Who holds what on each node, every deployment except {@code key}: node → deployment → bytes,
   * sorted, for messages that must name the holders.
   */
  public synchronized Map<String, Map<String, Long>> holdersByNode(
      String key, Map<String, Map<String, Long>> persisted) {
    Map<String, Map<String, Long>> byNode = new java.util.TreeMap<>();
    everyone(persisted).forEach(
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
    if (held.remove(key) != null) version++;
  }
}
