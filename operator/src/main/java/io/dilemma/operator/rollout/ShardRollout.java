package io.dilemma.operator.rollout;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.dilemma.contract.ShardPlan;
import io.dilemma.operator.observe.MemoryLedger;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanStatusMapping;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Step 4 of a reconcile: writes the desired shard objects, then carries out {@link RolloutSteps}
 * in order (switch the head Service, then delete obsolete shard sets).
 */
public final class ShardRollout {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardRollout.class);
  static final String APPLIED_HASH = "dilemma.io/applied-sha256";
  static final String SHARD_COUNT = "dilemma.io/shard-count";
  /** What a shard set consists of; deleted in this order so no pod outlives its plan ConfigMap. */
  private static final List<Class<? extends HasMetadata>> OWNED_KINDS =
      List.of(Deployment.class, Service.class, NetworkPolicy.class, ConfigMap.class);

  /** Kinds of a shard set other than its Deployments, which the reconciler's informer sees. */
  private static final List<Class<? extends HasMetadata>> UNWATCHED_KINDS =
      List.of(Service.class, NetworkPolicy.class, ConfigMap.class);

  private final KubernetesClient client;
  private final ShardResources resources;
  /**
   * Deployments (namespace/name) whose leftovers this process has swept since its last refused
   * write. A rollout cut short (an operator killed mid-write, a write the API server refused) can
   * leave a plan's Services or ConfigMap without its Deployments, where the shard sets, read from
   * Deployments, never see them.
   */
  private final java.util.Set<String> swept = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Deployments (namespace/name) with a refused write since this process started: swept from a fresh list. */
  private final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final PlansFoundAtStart foundAtStart = new PlansFoundAtStart(this::plansByDeployment);

  /** A shard Service by namespace and name, as the caller knows it (an informer's cache). */
  @FunctionalInterface
  public interface ServiceLookup {
    Optional<Service> find(String namespace, String name);
  }

  private final ServiceLookup services;
  /**
   * The mTLS Secret's hash per deployment (namespace/name) as this process last read or wrote it.
   * The operator may not watch Secrets; reading the Secret at every reconcile was one GET each.
   */
  private final Map<String, KnownTls> tls = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * How long a known Secret is trusted before it is read again, so that a Secret deleted by hand
   * is issued again within this time, not only at the next rollout or restart.
   */
  static final Duration TLS_RECHECK = Duration.ofMinutes(10);

  private record KnownTls(String hash, Instant readAgainAt) {}

  /**
   * The applied hash of each shard (by namespace/name#index) and what it was computed from:
   * checking that a shard is current no longer builds its four objects at every reconcile, which
   * was a fifth of a reconcile thread's CPU. The objects depend on nothing else: the owner's
   * spec through its generation, the plan, the memory, the Secret and the Service IPs.
   */
  private final Map<String, HashedShard> hashes = new java.util.concurrent.ConcurrentHashMap<>();

  private record ShardInputs(
      String uid, long generation, ShardPlan plan, long memoryBytes, String tlsHash, Map<String, String> serviceIps) {}

  private record HashedShard(ShardInputs inputs, String hash) {}

  /** @param services where existing shard Services are looked up before one is created */
  public ShardRollout(KubernetesClient client, ShardResources resources, ServiceLookup services) {
    this.client = client;
    this.resources = resources;
    this.services = services;
  }

  /**
   * @param servingPlanId the plan the head Service selects after this step
   * @param shardSets every shard set after this step, by plan id
   */
  public record Result(String servingPlanId, Map<String, ShardSet> shardSets) {}

  /**
   * @param cached the deployment's shard Deployments as the informer sees them
   * @param room bytes each node can give this deployment (allocatable minus other deployments'
   *     holdings); empty when unknown, then both plans are assumed to fit
   */
  public Result roll(
      LLMDeployment owner,
      PlanStatus desired,
      String servingPlanId,
      Collection<Deployment> cached,
      Map<String, Long> room) {
    String key = owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName();
    try {
      Result result = rollOnce(owner, desired, servingPlanId, cached, room);
      if (swept.add(key)) sweepLeftovers(owner, desired.planId(), result.servingPlanId(), refused.contains(key));
      return result;
    } catch (RuntimeException e) {
      swept.remove(key);
      refused.add(key);
      tls.remove(key);
      throw e;
    }
  }

  /**
   * What is running, written nowhere: for a spec the operator refused, whose worker settings
   * (an image off the allow-list, say) must not reach the running plan's pods.
   */
  public Result observe(PlanStatus desired, String servingPlanId, Collection<Deployment> cached) {
    return new Result(servingPlanId, shardSets(cached, desired));
  }

  private Result rollOnce(
      LLMDeployment owner,
      PlanStatus desired,
      String servingPlanId,
      Collection<Deployment> cached,
      Map<String, Long> room) {
    String namespace = owner.getMetadata().getNamespace();
    String name = owner.getMetadata().getName();
    Map<String, ShardSet> sets = shardSets(cached, desired);
    boolean bothFit = room.isEmpty() || bothFit(desired, servingPlanId, cached, room);
    RolloutSteps steps = RolloutSteps.next(desired.planId(), servingPlanId, sets, bothFit);
    if (steps.breakBeforeMake()) {
      LOG.info("{}/{}: plans {} and {} do not fit side by side; replacing instead", namespace, name, servingPlanId, desired.planId());
      for (String obsolete : steps.deletePlans()) {
        deletePlan(namespace, name, obsolete);
        sets.remove(obsolete);
      }
    }
    List<ShardPlan> shardPlans = ShardPlans.of(name, namespace, owner.getSpec(), desired);
    // No shard Deployment of this owner exists and nothing serves: no pod can hold the Secret,
    // so a fresh one is written without reading what may be there (one round trip less for
    // every new deployment).
    String tlsHash = ensureTls(owner, servingPlanId == null && cached.isEmpty());
    Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Map<String, String> serviceIps = serviceIpsAndNewShardObjects(owner, shardPlans, cached, written);
    List<Runnable> writes = new java.util.ArrayList<>(shardPlans.stream()
        .map(shardPlan -> (Runnable) () -> applyShard(owner, shardPlan, desired.shards().get(shardPlan.shardIndex()).memoryBytes(),
            tlsHash, cached, serviceIps, written))
        .toList());
    String serving = servingPlanId;
    // With nothing serving, no client can be switched too early: the head Service goes with the
    // shards' Deployments instead of one round trip after them.
    Runnable pointHead = null;
    if (steps.pointHeadAt().isPresent()) {
      String head = steps.pointHeadAt().get();
      pointHead = () -> {
        apply(resources.headService(owner, head));
        LOG.info("{}/{}: head Service now selects plan {}", namespace, name, head);
      };
      serving = head;
    }
    if (pointHead != null && servingPlanId == null) writes.add(pointHead);
    ShardWriters.inParallel(writes);
    if (pointHead != null && servingPlanId != null) pointHead.run();
    if (!steps.breakBeforeMake()) {
      for (String obsolete : steps.deletePlans()) {
        deletePlan(namespace, name, obsolete);
        sets.remove(obsolete);
      }
    }
    return new Result(serving, sets);
  }

  /** Whether every node can hold the serving plan's pods (as written) and the desired plan's. */
  private boolean bothFit(
      PlanStatus desired, String servingPlanId, Collection<Deployment> cached, Map<String, Long> room) {
    Map<String, Long> needed =
        new HashMap<>(MemoryLedger.requestsByNode(desired, resources.shardOverheadBytes()));
    if (servingPlanId != null && !servingPlanId.equals(desired.planId())) {
      for (Deployment d : cached) {
        if (!servingPlanId.equals(d.getMetadata().getLabels().get(ShardNames.LABEL_PLAN))) continue;
        var pod = d.getSpec().getTemplate().getSpec();
        var memory = pod.getContainers().get(0).getResources().getRequests().get("memory");
        needed.merge(
            pod.getNodeSelector().get(ShardResources.NODE_LABEL),
            memory.getNumericalAmount().longValue(),
            Long::sum);
      }
    }
    return needed.entrySet().stream()
        .allMatch(e -> e.getValue() <= room.getOrDefault(e.getKey(), Long.MAX_VALUE));
  }

  /**
   * Issues the deployment's mTLS Secret when it is missing or close to expiry; returns the hash
   * of what it holds. Read by name, never listed: the operator may not list Secrets.
   *
   * @param unused no pod can be using the Secret: one is issued without reading the one there
   */
  private String ensureTls(LLMDeployment owner, boolean unused) {
    String namespace = owner.getMetadata().getNamespace();
    String deployment = owner.getMetadata().getName();
    String key = namespace + "/" + deployment;
    Instant now = Instant.now();
    KnownTls known = tls.get(key);
    if (known != null && now.isBefore(known.readAgainAt())) return known.hash();
    String secretName = ShardNames.tlsSecret(deployment);
    Secret existing = unused ? null : client.secrets().inNamespace(namespace).withName(secretName).get();
    Map<String, String> data = existing == null ? null : decoded(existing.getData());
    if (DeploymentTls.needsRenewal(data, now)) {
      data = DeploymentTls.issue(namespace, deployment, now);
      Secret secret =
          new SecretBuilder()
              .withNewMetadata()
              .withName(secretName)
              .withNamespace(namespace)
              .withLabels(Map.of(ShardNames.LABEL_MANAGED_BY, ShardNames.MANAGED_BY, ShardNames.LABEL_DEPLOYMENT, deployment))
              .withOwnerReferences(ShardResources.ownerReference(owner))
              .endMetadata()
              .withType("kubernetes.io/tls")
              .withStringData(data)
              .build();
      apply(secret);
      LOG.info("{}/{}: issued mTLS Secret {}", namespace, deployment, secretName);
    }
    String hash =
        PlanStatusMapping.sha256(data.get(io.dilemma.contract.ShardTls.CA_FILE) + data.get(io.dilemma.contract.ShardTls.CERT_FILE));
    Instant readAgainAt = now.plus(TLS_RECHECK);
    Instant renewal = DeploymentTls.renewalDue(data);
    tls.put(key, new KnownTls(hash, renewal.isBefore(readAgainAt) ? renewal : readAgainAt));
    return hash;
  }

  private static Map<String, String> decoded(Map<String, String> base64) {
    if (base64 == null) return null;
    Map<String, String> plain = new HashMap<>();
    base64.forEach(
        (k, v) -> plain.put(k, new String(java.util.Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.US_ASCII)));
    return plain;
  }

  /**
   * Deletes the shard objects of plans that are neither desired nor serving, of every kind: what a
   * cut-short rollout left. Runs once per deployment after this process starts (a new leader) and
   * after any refused write, not in the steady state. The first time it looks at what the
   * namespace held when this process first listed it; after a refused write, at a fresh list of
   * the deployment's own objects (the refused rollout was this process's).
   */
  private void sweepLeftovers(LLMDeployment owner, String desiredPlanId, String servingPlanId, boolean fresh) {
    String namespace = owner.getMetadata().getNamespace();
    String name = owner.getMetadata().getName();
    Set<String> found =
        fresh
            ? plansByDeployment(namespace, Map.of(ShardNames.LABEL_DEPLOYMENT, name)).getOrDefault(name, Set.of())
            : foundAtStart.take(namespace, name);
    for (String leftover : RolloutSteps.leftovers(found, desiredPlanId, servingPlanId)) {
      LOG.info("{}/{}: removing the leftovers of plan {} (a rollout cut short)", namespace, name, leftover);
      deletePlan(namespace, name, leftover);
    }
  }

  private Map<String, Set<String>> plansByDeployment(String namespace) {
    return plansByDeployment(namespace, Map.of());
  }

  /** Plan ids of the shard objects (of the kinds no informer caches) matching {@code labels}, by deployment. */
  private Map<String, Set<String>> plansByDeployment(String namespace, Map<String, String> labels) {
    Map<String, String> selector = new HashMap<>(labels);
    selector.put(ShardNames.LABEL_MANAGED_BY, ShardNames.MANAGED_BY);
    Map<String, Set<String>> plans = new HashMap<>();
    for (Class<? extends HasMetadata> kind : UNWATCHED_KINDS) {
      for (HasMetadata object : client.resources(kind).inNamespace(namespace).withLabels(selector).list().getItems()) {
        var objectLabels = object.getMetadata().getLabels();
        String deployment = objectLabels.get(ShardNames.LABEL_DEPLOYMENT);
        String plan = objectLabels.get(ShardNames.LABEL_PLAN);
        if (deployment != null && plan != null) plans.computeIfAbsent(deployment, d -> new java.util.TreeSet<>()).add(plan);
      }
    }
    return plans;
  }

  /** Removes every object the deployment owns; used on deletion, where no garbage collector may run. */
  public void deleteAll(String namespace, String deployment) {
    swept.remove(namespace + "/" + deployment);
    refused.remove(namespace + "/" + deployment);
    foundAtStart.forget(namespace, deployment);
    tls.remove(namespace + "/" + deployment);
    hashes.keySet().removeIf(k -> k.startsWith(namespace + "/" + deployment + "#"));
    // A name no label value can hold never passed validation, so nothing was created for it; a
    // selector with it would be refused (400) and the deletion would never finish.
    if (deployment.length() > ShardNames.MAX_LABEL_VALUE) return;
    client.secrets().inNamespace(namespace).withName(ShardNames.tlsSecret(deployment)).delete();
    deleteMatching(
        namespace,
        Map.of(ShardNames.LABEL_DEPLOYMENT, deployment, ShardNames.LABEL_MANAGED_BY, ShardNames.MANAGED_BY));
  }

  private void deletePlan(String namespace, String deployment, String planId) {
    deleteMatching(namespace, Map.of(ShardNames.LABEL_DEPLOYMENT, deployment, ShardNames.LABEL_PLAN, planId));
  }

  /**
   * Lists, then deletes each object by name. A delete by label selector is a {@code
   * deletecollection}, which the chart's least-privilege role does not grant; the API server
   * would refuse it and the deletion would never finish.
   */
  private void deleteMatching(String namespace, Map<String, String> selector) {
    for (Class<? extends HasMetadata> kind : OWNED_KINDS) {
      for (HasMetadata object : client.resources(kind).inNamespace(namespace).withLabels(selector).list().getItems()) {
        client.resources(kind).inNamespace(namespace).withName(object.getMetadata().getName()).delete();
      }
    }
  }

  /**
   * The ClusterIP of each shard Service of a plan, by the Service's DNS name, creating Services
   * that do not exist yet. Pods get them as host aliases, so shards reach each other by name on
   * clusters without DNS (the local cluster, minimal k3s installs) exactly as on clusters with it.
   * Beside the new Services go the ConfigMap and NetworkPolicy of each shard whose Deployment does
   * not exist yet (neither depends on the IPs): a new plan's Deployments then wait one round trip,
   * not three.
   *
   * @param written collects what was written here ({@link #written}), which needs no second write
   */
  private Map<String, String> serviceIpsAndNewShardObjects(
      LLMDeployment owner, List<ShardPlan> shardPlans, Collection<Deployment> cached, Set<String> written) {
    Map<String, String> ips = new java.util.concurrent.ConcurrentHashMap<>();
    String namespace = owner.getMetadata().getNamespace();
    List<Runnable> writes = new java.util.ArrayList<>();
    for (ShardPlan plan : shardPlans) {
      writes.add(() -> {
        var desired = resources.service(owner, plan);
        var service = services.find(namespace, desired.getMetadata().getName()).orElse(null);
        if (service == null) {
          service = client.resource(desired).fieldManager(ShardNames.MANAGED_BY).forceConflicts().serverSideApply();
          written.add(written(desired));
        }
        String ip = service == null || service.getSpec() == null ? null : service.getSpec().getClusterIP();
        if (ip != null && !ip.isBlank() && !"None".equals(ip)) {
          ips.put(ShardNames.serviceHost(plan.deployment(), plan.planId(), plan.shardIndex(), namespace), ip);
        }
      });
      String name = ShardNames.shard(owner.getMetadata().getName(), plan.planId(), plan.shardIndex());
      if (cached.stream().noneMatch(d -> d.getMetadata().getName().equals(name))) {
        for (var object : List.of(resources.configMap(owner, plan), resources.networkPolicy(owner, plan))) {
          writes.add(() -> {
            apply(object);
            written.add(written(object));
          });
        }
      }
    }
    ShardWriters.inParallel(writes);
    return new HashMap<>(ips);
  }

  /** How {@link #serviceIpsAndNewShardObjects} notes an object it wrote. */
  private static String written(HasMetadata object) {
    return object.getKind() + "/" + object.getMetadata().getName();
  }

  /**
   * Applies a shard's ConfigMap, Service and Deployment, unless the cached Deployment already
   * carries the hash of exactly these objects: a steady state costs no API writes.
   */
  private void applyShard(
      LLMDeployment owner,
      ShardPlan plan,
      long memoryBytes,
      String tlsHash,
      Collection<Deployment> cached,
      Map<String, String> serviceIps,
      Set<String> written) {
    var meta = owner.getMetadata();
    String shardKey = meta.getNamespace() + "/" + meta.getName() + "#" + plan.shardIndex();
    ShardInputs inputs =
        meta.getGeneration() == null
            ? null
            : new ShardInputs(meta.getUid(), meta.getGeneration(), plan, memoryBytes, tlsHash, Map.copyOf(serviceIps));
    HashedShard known = hashes.get(shardKey);
    String name = ShardNames.shard(meta.getName(), plan.planId(), plan.shardIndex());
    if (known != null && known.inputs().equals(inputs) && current(cached, name, known.hash())) return;
    ShardResources.ShardObjects objects = resources.shard(owner, plan, memoryBytes, tlsHash, serviceIps);
    String hash =
        PlanStatusMapping.sha256(
            io.dilemma.contract.ContractJson.write(
                List.of(objects.configMap(), objects.deployment(), objects.service(), objects.networkPolicy())));
    if (inputs != null) hashes.put(shardKey, new HashedShard(inputs, hash));
    Deployment deployment = objects.deployment();
    deployment
        .getMetadata()
        .setAnnotations(Map.of(APPLIED_HASH, hash, SHARD_COUNT, Integer.toString(plan.shardCount())));
    if (current(cached, name, hash)) return;
    // The plan first, so a new pod never starts without its ConfigMap.
    for (HasMetadata object : List.of(objects.configMap(), objects.service(), objects.networkPolicy())) {
      if (!written.contains(written(object))) apply(object);
    }
    apply(deployment);
  }

  /** Whether the informer's copy of Deployment {@code name} carries the applied hash {@code hash}. */
  private static boolean current(Collection<Deployment> cached, String name, String hash) {
    return cached.stream()
        .anyMatch(
            d ->
                d.getMetadata().getName().equals(name)
                    && d.getMetadata().getAnnotations() != null
                    && hash.equals(d.getMetadata().getAnnotations().get(APPLIED_HASH)));
  }

  /** Server-side apply: every field the operator sets is owned by it, whoever edited it since. */
  private void apply(HasMetadata object) {
    client.resource(object).fieldManager(ShardNames.MANAGED_BY).forceConflicts().serverSideApply();
  }

  private static Map<String, ShardSet> shardSets(
      Collection<Deployment> cached, PlanStatus desired) {
    Map<String, int[]> counts = new HashMap<>();
    Map<String, Integer> expected = new HashMap<>();
    for (Deployment d : cached) {
      var labels = d.getMetadata().getLabels();
      String plan = labels == null ? null : labels.get(ShardNames.LABEL_PLAN);
      if (plan == null) continue;
      int[] c = counts.computeIfAbsent(plan, p -> new int[1]);
      if (available(d)) c[0]++;
      String count = d.getMetadata().getAnnotations() == null ? null : d.getMetadata().getAnnotations().get(SHARD_COUNT);
      expected.merge(plan, count == null ? 1 : Integer.parseInt(count), Math::max);
    }
    expected.put(desired.planId(), desired.shards().size());
    counts.computeIfAbsent(desired.planId(), p -> new int[1]);
    Map<String, ShardSet> sets = new HashMap<>();
    counts.forEach((plan, c) -> sets.put(plan, new ShardSet(expected.get(plan), c[0])));
    return sets;
  }

  /** Available at the current template: a stale ready pod of an older template does not count. */
  static boolean available(Deployment d) {
    var status = d.getStatus();
    if (status == null || status.getAvailableReplicas() == null || status.getAvailableReplicas() < 1) {
      return false;
    }
    Long observed = status.getObservedGeneration();
    return observed != null && observed >= d.getMetadata().getGeneration();
  }
}
