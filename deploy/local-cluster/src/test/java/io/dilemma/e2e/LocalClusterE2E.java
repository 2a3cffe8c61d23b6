package io.dilemma.e2e;

/**
 * The shared E2E body on the local multi-node cluster of {@code deploy/local-cluster/cluster up}:
 * real etcd, API server, scheduler, controller-manager, kube-proxy, five kubelets with their own
 * containerd. Runs when {@code -Ddilemma.e2e.kubeconfig} names that cluster's kubeconfig (CI sets
 * it); skips otherwise.
 */
class LocalClusterE2E extends ServingOnRealKubernetes {
  @Override
  ClusterTarget startTarget() throws Exception {
    return LocalCluster.fromSystemProperties();
  }
}
