package io.dilemma.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared E2E body on the local multi-node cluster of {@code deploy/local-cluster/cluster up}:
 * real etcd, API server, scheduler, controller-manager, kube-proxy, five kubelets with their own
 * containerd. Runs when {@code -Ddilemma.e2e.kubeconfig} names that cluster's kubeconfig (CI sets
 * it); skips otherwise.
 */
class LocalClusterE2E extends ServingOnRealKubernetes {
  @Override
  ClusterTarget startTarget() throws Exception {
    String kubeconfig = System.getProperty("dilemma.e2e.kubeconfig", "");
    Assumptions.assumeTrue(!kubeconfig.isBlank(),
        "no local cluster: run deploy/local-cluster/cluster up and pass -Ddilemma.e2e.kubeconfig=<state dir>/kubeconfig");
    Path file = Path.of(kubeconfig);
    if (!Files.isRegularFile(file)) throw new IllegalStateException("dilemma.e2e.kubeconfig: " + file + " does not exist");
    return new LocalCluster(file, System.getProperty("dilemma.e2e.version", "0.1.0-SNAPSHOT"));
  }
}
