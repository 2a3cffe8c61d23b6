package io.dilemma.prober.load;

/**
 * What the node is, as {@code --node-cgroup} says: the whole host, or one cgroup of a bigger host
 * (several kubelets sharing a machine, each with its own {@code --cgroup-root} and CPU cap).
 */
public sealed interface NodeCgroup {
  /** The host is the node: capacity and busy time from /proc/stat. */
  record WholeHost() implements NodeCgroup {}

  /**
   * The node is the kubelet's cgroup root, read from the prober container's own cgroup
   * (/proc/self/cgroup): what lies above {@code kubepods} when the kubelet runs QoS cgroups, the
   * container's parent when pods get no QoS or pod level of their own.
   */
  record ParentOfOwn() implements NodeCgroup {}

  /** The node is this cgroup, a path as /proc/PID/cgroup prints it. */
  record Explicit(String path) implements NodeCgroup {}

  /** {@code none}, {@code auto} or an absolute cgroup path. */
  static NodeCgroup parse(String value) {
    return switch (value) {
      case "none" -> new WholeHost();
      case "auto" -> new ParentOfOwn();
      default -> {
        if (!value.startsWith("/")) {
          throw new IllegalArgumentException("expected none, auto or an absolute cgroup path such as /dilemma/n1, got '" + value + "'");
        }
        String path = value.replaceAll("/+$", "");
        yield new Explicit(path.isEmpty() ? "/" : path);
      }
    };
  }
}
