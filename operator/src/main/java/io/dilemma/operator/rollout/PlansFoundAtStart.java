package io.dilemma.operator.rollout;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The plans each deployment had shard objects of when this process first looked at its namespace:
 * what a rollout cut short before this process started (a leader killed mid-write) may have left.
 * The namespace is listed once, not once per deployment at its first reconcile: after a start or a
 * failover, every deployment reconciles at once, and three lists each were a sixth of a cold
 * start's requests.
 */
final class PlansFoundAtStart {
  /** Plan ids by deployment name, of the shard objects in one namespace. */
  private final Function<String, Map<String, Set<String>>> list;
  private final Map<String, Namespace> namespaces = new ConcurrentHashMap<>();

  /** @param list lists a namespace's shard objects and groups their plan ids by deployment */
  PlansFoundAtStart(Function<String, Map<String, Set<String>>> list) {
    this.list = list;
  }

  /**
   * The plans found for {@code deployment}, once: a second call answers nothing, as whatever is
   * there by then this process wrote or swept itself.
   */
  Set<String> take(String namespace, String deployment) {
    Set<String> plans = namespaces.computeIfAbsent(namespace, Namespace::new).found().remove(deployment);
    return plans == null ? Set.of() : plans;
  }

  /** Drops what was found for a deleted deployment, without listing a namespace not yet listed. */
  void forget(String namespace, String deployment) {
    Namespace listed = namespaces.get(namespace);
    if (listed != null) listed.forget(deployment);
  }

  /** The namespace's listing, made by the first reconcile that needs it; the others wait for it. */
  private final class Namespace {
    private final String name;
    private Map<String, Set<String>> found;

    Namespace(String name) {
      this.name = name;
    }

    synchronized void forget(String deployment) {
      if (found != null) found.remove(deployment);
    }

    synchronized Map<String, Set<String>> found() {
      if (found == null) found = new ConcurrentHashMap<>(list.apply(name));
      return found;
    }
  }
}
