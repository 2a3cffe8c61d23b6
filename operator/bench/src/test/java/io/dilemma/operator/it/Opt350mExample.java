package io.dilemma.operator.it;

import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.planner.ComputeNode;
import java.nio.file.Path;
import java.util.List;

/**
 * The paper-scale example of {@code deploy/examples} on a test API server, as the ITs set it up:
 * its nodes, its EdgeLinks, its profile ConfigMap and its LLMDeployment.
 */
final class Opt350mExample {
  static final Path EXAMPLES = KubeTestEnvironment.REPO.resolve("deploy/examples");
  static final Path DEPLOYMENT = EXAMPLES.resolve("opt-350m-llmdeployment.yaml");
  /** The operator's default per-shard overhead; the nodes get it on top of the example's memory. */
  static final long OVERHEAD = LLMDeploymentReconciler.Settings.defaults().shardOverheadBytes();

  private Opt350mExample() {}

  /** Registers the example's nodes, Ready, and applies its EdgeLinks; returns the node names. */
  static List<String> registerNodesAndLinks(KubeTestEnvironment env) {
    List<String> nodes =
        ExampleNodes.register(env.client(), EXAMPLES.resolve("opt-350m-edge/cluster.yaml"), OVERHEAD).stream()
            .map(ComputeNode::name)
            .toList();
    applyLinks(env);
    return nodes;
  }

  /** The example's EdgeLinks as the file has them, undoing any patch. */
  static void applyLinks(KubeTestEnvironment env) {
    env.kubectl("apply", "-f", EXAMPLES.resolve("opt-350m-edgelinks.yaml").toString());
  }

  /** ConfigMap {@code opt-350m-profile}, which the example deployment names, in {@code namespace}. */
  static void createProfile(KubeTestEnvironment env, String namespace) {
    env.kubectl("create", "configmap", "opt-350m-profile", "-n", namespace,
        "--from-file=profile.json=" + EXAMPLES.resolve("opt-350m-edge/profile.json"));
  }
}
