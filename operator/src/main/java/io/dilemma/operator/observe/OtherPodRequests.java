package io.dilemma.operator.observe;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory that pods other than Dilemma's shards request on each node: a DaemonSet, the operator
 * itself, anything else the node runs. The scheduler counts those requests against the node's
 * allocatable memory, so a plan that ignored them would place shards the scheduler then leaves
 * Pending. Pure: reads pods from a cache the caller filtered to the non-shard ones.
 */
public final class OtherPodRequests {
  private OtherPodRequests() {}

  /** Bytes requested per node name by the pods bound to a node that still hold their request. */
  public static Map<String, Long> byNode(Collection<Pod> pods) {
    Map<String, Long> bytes = new HashMap<>();
    for (Pod pod : pods) {
      if (pod.getSpec() == null || pod.getSpec().getNodeName() == null) continue;
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      // a finished pod's containers are gone; the scheduler no longer counts it
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) continue;
      long request = request(pod);
      if (request > 0) bytes.merge(pod.getSpec().getNodeName(), request, Long::sum);
    }
    return bytes;
  }

  /**
   * As the scheduler computes it: the containers' requests summed, or the largest init
   * container's if that is more (init containers run one at a time, before the others). A
   * container with a limit and no request requests its limit.
   */
  static long request(Pod pod) {
    long containers = sum(pod.getSpec().getContainers());
    long init = 0;
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) init = Math.max(init, memory(c));
    }
    return Math.max(containers, init);
  }

  private static long sum(List<Container> containers) {
    long total = 0;
    if (containers != null) for (Container c : containers) total += memory(c);
    return total;
  }

  private static long memory(Container c) {
    if (c.getResources() == null) return 0;
    Quantity q = c.getResources().getRequests() == null ? null : c.getResources().getRequests().get("memory");
    if (q == null && c.getResources().getLimits() != null) q = c.getResources().getLimits().get("memory");
    return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
  }
}
