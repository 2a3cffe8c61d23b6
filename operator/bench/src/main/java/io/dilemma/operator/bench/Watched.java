package io.dilemma.operator.bench;

import io.dilemma.api.LLMDeployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.List;

/**
 * Every LLMDeployment as a watch last saw it. The bench waits on this instead of polling the API
 * server, whose CPU it shares with the operator: listing 50 deployments every 50 ms cost the API
 * server and the bench's own JSON parsing more than some of the operator's work it measured.
 */
final class Watched implements AutoCloseable {
  private final SharedIndexInformer<LLMDeployment> informer;

  Watched(KubernetesClient client) {
    informer = client.resources(LLMDeployment.class).inAnyNamespace().inform();
  }

  /** The deployment as last seen, or null. */
  LLMDeployment get(String namespace, String name) {
    return informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
  }

  List<LLMDeployment> list(String namespace) {
    return informer.getStore().list().stream().filter(d -> namespace.equals(d.getMetadata().getNamespace())).toList();
  }

  @Override
  public void close() {
    informer.close();
  }
}
