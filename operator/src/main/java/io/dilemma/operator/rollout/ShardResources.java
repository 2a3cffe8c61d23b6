package io.dilemma.operator.rollout;

import io.dilemma.api.LLMDeployment;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ShardDrain;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardTls;
import io.dilemma.operator.plan.PlanStatusMapping;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired ConfigMap, Deployment and Service of one shard, and the deployment's head Service.
 * Pure: builds objects, writes nothing.
 */
public final class ShardResources {
  static final String PLAN_MOUNT = "/etc/dilemma";
  static final String NODE_LABEL = "kubernetes.io/hostname";
  static final long RUN_AS_USER = 10001;
  public static final String PROMETHEUS_SCRAPE = "prometheus.io/scrape";
  public static final String PROMETHEUS_PORT = "prometheus.io/port";
  public static final String PROMETHEUS_PATH = "prometheus.io/path";

  /**
   * Tells the worker it is stopping (its responses then close their connections), then gives the
   * endpoints and kube-proxy time to drop it; needs {@code sh}, {@code touch} and {@code sleep}.
   */
  static List<String> preStopCommand() {
    return List.of("sh", "-c", "touch " + ShardDrain.MARKER + " && exec sleep " + ShardDrain.DRAIN_SECONDS);
  }

  private final long shardOverheadBytes;

  public ShardResources(long shardOverheadBytes) {
    this.shardOverheadBytes = shardOverheadBytes;
  }

  public long shardOverheadBytes() {
    return shardOverheadBytes;
  }

  /** Bound on what ONNX Runtime and the JVM write to /tmp; beyond it the kubelet evicts the pod. */
  static final String TMP_SIZE_LIMIT = "512Mi";
  /** The CPU request when the spec gives none: the scheduler must count a shard's compute. */
  static final String DEFAULT_CPU_REQUEST = "250m";

  /** The objects of one shard, all named {@link ShardNames#shard}. */
  public record ShardObjects(
      ConfigMap configMap, Deployment deployment, Service service, NetworkPolicy networkPolicy) {}

  public ShardObjects shard(LLMDeployment owner, ShardPlan plan, long memoryBytes) {
    return shard(owner, plan, memoryBytes, null, Map.of());
  }

  /** @param tlsHash hash of the deployment's mTLS Secret as written, or null when not known */
  public ShardObjects shard(LLMDeployment owner, ShardPlan plan, long memoryBytes, String tlsHash) {
    return shard(owner, plan, memoryBytes, tlsHash, Map.of());
  }

  public ShardObjects shard(
      LLMDeployment owner, ShardPlan plan, long memoryBytes, Map<String, String> serviceIps) {
    return shard(owner, plan, memoryBytes, null, serviceIps);
  }

  /**
   * @param tlsHash hash of the deployment's mTLS Secret as written, or null when not known
   * @param serviceIps ClusterIP by Service host name ({@link ShardNames#serviceHost}) of the plan's
   *     shards: written into the pod's /etc/hosts, so a shard finds the next one (and the head) by
   *     the same DNS name with or without cluster DNS
   */
  public ShardObjects shard(
      LLMDeployment owner, ShardPlan plan, long memoryBytes, String tlsHash, Map<String, String> serviceIps) {
    String json = ContractJson.write(plan);
    String name = ShardNames.shard(owner.getMetadata().getName(), plan.planId(), plan.shardIndex());
    Map<String, String> labels = labels(owner, plan);
    ConfigMap configMap = configMap(owner, name, labels, json);
    Deployment deployment =
        new DeploymentBuilder()
            .withMetadata(meta(owner, name, labels))
            .withNewSpec()
            .withReplicas(1)
            // Pinned to one node with its memory reserved: a surge pod would need the memory twice.
            .withNewStrategy()
            .withType("Recreate")
            .endStrategy()
            .withNewSelector()
            .withMatchLabels(selector(owner, plan))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .withAnnotations(podAnnotations(json, tlsHash))
            .endMetadata()
            .withSpec(podSpec(owner, plan, name, memoryBytes, serviceIps))
            .endTemplate()
            .endSpec()
            .build();
    return new ShardObjects(configMap, deployment, service(owner, plan), networkPolicy(owner, plan, name, labels));
  }

  /**
   * The shard's ConfigMap alone, as {@link #shard} builds it: it depends on neither the Service
   * IPs nor the Secret, so a new shard's is written side by side with its Service.
   */
  public ConfigMap configMap(LLMDeployment owner, ShardPlan plan) {
    String name = ShardNames.shard(owner.getMetadata().getName(), plan.planId(), plan.shardIndex());
    return configMap(owner, name, labels(owner, plan), ContractJson.write(plan));
  }

  private static ConfigMap configMap(LLMDeployment owner, String name, Map<String, String> labels, String json) {
    return new ConfigMapBuilder()
        .withMetadata(meta(owner, name, labels))
        .withData(Map.of(ShardPlan.CONFIG_MAP_KEY, json))
        .build();
  }

  /** The shard's NetworkPolicy alone, as {@link #shard} builds it. */
  public NetworkPolicy networkPolicy(LLMDeployment owner, ShardPlan plan) {
    String name = ShardNames.shard(owner.getMetadata().getName(), plan.planId(), plan.shardIndex());
    return networkPolicy(owner, plan, name, labels(owner, plan));
  }

  /** The shard's Service alone: what the rollout needs before the pods, for their host aliases. */
  public Service service(LLMDeployment owner, ShardPlan plan) {
    String name = ShardNames.shard(owner.getMetadata().getName(), plan.planId(), plan.shardIndex());
    return new ServiceBuilder()
        .withMetadata(meta(owner, name, labels(owner, plan)))
        .withNewSpec()
        .withSelector(selector(owner, plan))
        .withPorts(servicePorts(plan))
        .endSpec()
        .build();
  }

  /** The head serves only HTTP; every other shard serves gRPC to the shard before it, and HTTP. */
  static List<ServicePort> servicePorts(ShardPlan plan) {
    List<ServicePort> ports = new ArrayList<>();
    if (!plan.head()) {
      ports.add(
          new ServicePortBuilder()
              .withName("grpc")
              .withProtocol("TCP")
              .withPort(ShardNames.GRPC_PORT)
              .withTargetPort(new IntOrString(ShardNames.GRPC_PORT))
              .build());
    }
    ports.add(
        new ServicePortBuilder()
            .withName("http")
            .withProtocol("TCP")
            .withPort(ShardNames.HTTP_PORT)
            .withTargetPort(new IntOrString(ShardNames.HTTP_PORT))
            .build());
    return ports;
  }

  /** The ports the container listens on: the head has no gRPC server. */
  static List<ContainerPort> containerPorts(ShardPlan plan) {
    List<ContainerPort> ports = new ArrayList<>();
    if (!plan.head()) {
      ports.add(
          new ContainerPortBuilder().withName("grpc").withProtocol("TCP").withContainerPort(ShardNames.GRPC_PORT).build());
    }
    ports.add(
        new ContainerPortBuilder().withName("http").withProtocol("TCP").withContainerPort(ShardNames.HTTP_PORT).build());
    return ports;
  }

  /** {@code shard-worker serve} flags; the head is given no gRPC port, as it runs no gRPC server. */
  static List<String> serveArgs(ShardPlan plan) {
    List<String> args = new ArrayList<>(List.of("serve", "--plan", PLAN_MOUNT + "/" + ShardPlan.CONFIG_MAP_KEY));
    if (!plan.head()) args.addAll(List.of("--grpc-port", Integer.toString(ShardNames.GRPC_PORT)));
    args.addAll(List.of("--http-port", Integer.toString(ShardNames.HTTP_PORT)));
    return args;
  }

  /**
   * The JVM's bounds from the plan. The KV cache lives on the heap (float arrays), so the heap is
   * the planned KV bytes plus half the overhead; the weights live in ONNX Runtime's native memory,
   * outside both JVM bounds; direct buffers (frames in flight) get a quarter of the overhead. With
   * the container limit at weights + KV + overhead, the JVM fails a request before the kernel
   * kills the pod.
   */
  List<String> jvmFlags(ShardPlan plan) {
    long kv = plan.limits() == null ? 0 : plan.limits().kvCacheBytes();
    long heap = kv + shardOverheadBytes / 2;
    long direct = Math.max(16L << 20, shardOverheadBytes / 4);
    return List.of("-Xmx" + heap, "-XX:MaxDirectMemorySize=" + direct, "-XX:+ExitOnOutOfMemoryError");
  }

  /**
   * Ingress of one shard: shard i admits its gRPC port only from shard i−1 of the same plan; every
   * shard admits its HTTP port from anyone: on the head that is the API (clients come through the
   * head Service), on the others only /healthz, /readyz and /metrics, which Prometheus must reach
   * wherever it runs. Egress is left open: URL model sources are fetched at start.
   */
  static NetworkPolicy networkPolicy(LLMDeployment owner, ShardPlan plan, String name, Map<String, String> labels) {
    List<NetworkPolicyIngressRule> rules = new ArrayList<>();
    rules.add(
        new NetworkPolicyIngressRuleBuilder()
            .addNewPort()
            .withProtocol("TCP")
            .withPort(new IntOrString(ShardNames.HTTP_PORT))
            .endPort()
            .build());
    if (!plan.head()) {
      Map<String, String> previous = new LinkedHashMap<>(selector(owner, plan));
      previous.put(ShardNames.LABEL_SHARD, Integer.toString(plan.shardIndex() - 1));
      rules.add(
          new NetworkPolicyIngressRuleBuilder()
              .addNewFrom()
              .withNewPodSelector()
              .withMatchLabels(previous)
              .endPodSelector()
              .endFrom()
              .addNewPort()
              .withProtocol("TCP")
              .withPort(new IntOrString(ShardNames.GRPC_PORT))
              .endPort()
              .build());
    }
    return new NetworkPolicyBuilder()
        .withMetadata(meta(owner, name, labels))
        .withNewSpec()
        .withNewPodSelector()
        .withMatchLabels(selector(owner, plan))
        .endPodSelector()
        .withPolicyTypes("Ingress")
        .withIngress(rules)
        .endSpec()
        .build();
  }

  /** The stable Service clients call; switching the head means changing its plan selector. */
  public Service headService(LLMDeployment owner, String servingPlanId) {
    String deployment = owner.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ShardNames.LABEL_MANAGED_BY, ShardNames.MANAGED_BY);
    labels.put(ShardNames.LABEL_DEPLOYMENT, deployment);
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(ShardNames.LABEL_DEPLOYMENT, deployment);
    selector.put(ShardNames.LABEL_PLAN, servingPlanId);
    selector.put(ShardNames.LABEL_ROLE, ShardNames.ROLE_HEAD);
    return new ServiceBuilder()
        .withMetadata(meta(owner, ShardNames.headService(deployment), labels))
        .withNewSpec()
        .withSelector(selector)
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(80)
        .withTargetPort(new IntOrString(ShardNames.HTTP_PORT))
        .endPort()
        .endSpec()
        .build();
  }

  private PodSpec podSpec(
      LLMDeployment owner, ShardPlan plan, String name, long memoryBytes, Map<String, String> serviceIps) {
    var spec = owner.getSpec();
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder().withName("plan").withNewConfigMap().withName(name).endConfigMap().build());
    mounts.add(new VolumeMountBuilder().withName("plan").withMountPath(PLAN_MOUNT).withReadOnly(true).build());
    // The root filesystem is read-only; ONNX Runtime and the JVM still need somewhere to write.
    volumes.add(
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity(TMP_SIZE_LIMIT))
            .endEmptyDir()
            .build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    volumes.add(tlsVolume(owner));
    mounts.add(tlsMount());
    var pvc = spec.model().source().persistentVolumeClaim();
    if (pvc != null) {
      volumes.add(
          new VolumeBuilder()
              .withName("model")
              .withNewPersistentVolumeClaim(pvc.claimName(), true)
              .build());
      mounts.add(
          new VolumeMountBuilder()
              .withName("model")
              .withMountPath(ShardPlans.MODEL_MOUNT + "/" + pvc.claimName())
              .withReadOnly(true)
              .build());
    }
    Container container =
        new ContainerBuilder()
            .withName("shard-worker")
            .withImage(spec.worker().image())
            .withCommand(command(plan))
            .withArgs(serveArgs(plan))
            .withPorts(containerPorts(plan))
            .withResources(resources(spec.worker().resources(), memoryBytes + shardOverheadBytes))
            // Deleted (an obsolete plan) or restarted, a shard keeps serving a few seconds: the
            // endpoints and kube-proxy rules take that long to drop it, and requests in flight finish.
            .withNewLifecycle()
            .withNewPreStop()
            .withNewExec()
            .withCommand(preStopCommand())
            .endExec()
            .endPreStop()
            .endLifecycle()
            .withStartupProbe(startup())
            .withLivenessProbe(liveness())
            .withReadinessProbe(readiness(plan.head()))
            .withVolumeMounts(mounts)
            .withNewSecurityContext()
            .withReadOnlyRootFilesystem(true)
            .withAllowPrivilegeEscalation(false)
            .withRunAsNonRoot(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .build();
    return new PodSpecBuilder()
        .withNodeSelector(Map.of(NODE_LABEL, plan.node()))
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS_USER)
        .withRunAsGroup(RUN_AS_USER)
        .withFsGroup(RUN_AS_USER)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds((long) ShardDrain.TERMINATION_GRACE_SECONDS)
        .withHostAliases(hostAliases(serviceIps))
        .withContainers(container)
        .withVolumes(volumes)
        .build();
  }

  /**
   * The plan and mTLS hashes that roll the pod when either changes, and the annotations by which
   * the scrape config the chart documents (helm/dilemma/prometheus/scrape-config.yaml) finds the
   * worker's /metrics.
   */
  static Map<String, String> podAnnotations(String planJson, String tlsHash) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(PROMETHEUS_SCRAPE, "true");
    annotations.put(PROMETHEUS_PORT, Integer.toString(ShardNames.HTTP_PORT));
    annotations.put(PROMETHEUS_PATH, "/metrics");
    annotations.put(ShardNames.SHARD_PLAN_HASH, PlanStatusMapping.sha256(planJson));
    if (tlsHash != null) annotations.put(ShardNames.TLS_HASH, tlsHash);
    return annotations;
  }

  /** The deployment's mTLS Secret, readable by the worker's group only (see {@link ShardTls}). */
  static Volume tlsVolume(LLMDeployment owner) {
    return new VolumeBuilder()
        .withName("tls")
        .withNewSecret()
        .withSecretName(ShardNames.tlsSecret(owner.getMetadata().getName()))
        .withDefaultMode(0440)
        .endSecret()
        .build();
  }

  static VolumeMount tlsMount() {
    return new VolumeMountBuilder().withName("tls").withMountPath(ShardTls.MOUNT_PATH).withReadOnly(true).build();
  }

  private List<String> command(ShardPlan plan) {
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvmFlags(plan));
    command.addAll(List.of("-jar", "/app/shard-worker.jar"));
    return command;
  }

  /** One alias per ClusterIP, in a stable order so an unchanged plan yields an unchanged pod template. */
  static List<HostAlias> hostAliases(Map<String, String> serviceIps) {
    Map<String, List<String>> hostsByIp = new java.util.TreeMap<>();
    new java.util.TreeMap<>(serviceIps).forEach((host, ip) -> hostsByIp.computeIfAbsent(ip, k -> new ArrayList<>()).add(host));
    List<HostAlias> aliases = new ArrayList<>();
    hostsByIp.forEach((ip, hosts) -> aliases.add(new HostAliasBuilder().withIp(ip).withHostnames(hosts).build()));
    return aliases;
  }


  /**
   * The user's resources, with the memory request and limit always the plan's: that is what was
   * planned, and a shard that outgrows it must fail alone instead of starving its node. A CPU
   * request is set when the user gives none.
   */
  static ResourceRequirements resources(ResourceRequirements user, long memoryRequestBytes) {
    Map<String, Quantity> requests = new HashMap<>();
    Map<String, Quantity> limits = new HashMap<>();
    if (user != null) {
      if (user.getRequests() != null) requests.putAll(user.getRequests());
      if (user.getLimits() != null) limits.putAll(user.getLimits());
    }
    Quantity memory = new Quantity(Long.toString(memoryRequestBytes));
    requests.put("memory", memory);
    limits.put("memory", memory);
    if (!requests.containsKey("cpu")) {
      requests.put("cpu", limits.getOrDefault("cpu", new Quantity(DEFAULT_CPU_REQUEST)));
    }
    ResourceRequirements r = new ResourceRequirements();
    r.setRequests(requests);
    r.setLimits(limits);
    return r;
  }

  /**
   * Up to five minutes to start: a JVM, a model download and an ONNX session on a busy Pi can
   * take longer than liveness tolerates, and a liveness kill then restarts the download forever.
   */
  private static Probe startup() {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString(ShardNames.HTTP_PORT))
        .endHttpGet()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(5)
        .withFailureThreshold(60)
        .build();
  }

  /** Every shard serves /healthz; the head has no gRPC server, so the gRPC port cannot be it. */
  private static Probe liveness() {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/healthz")
        .withPort(new IntOrString(ShardNames.HTTP_PORT))
        .endHttpGet()
        // a loaded edge box answers slowly; the 1 s default would kill a working shard
        .withTimeoutSeconds(5)
        .withPeriodSeconds(10)
        .withFailureThreshold(6)
        .build();
  }

  /** The head reports ready only once the chain behind it answers; workers once they listen. */
  private static Probe readiness(boolean head) {
    // The head's /readyz asks every shard of the chain: on a node capped at a quarter core it was
    // seen taking over the 1 s default, taking the head out of its Service while it served.
    ProbeBuilder probe = new ProbeBuilder().withPeriodSeconds(5).withTimeoutSeconds(5);
    if (head) {
      probe.withNewHttpGet().withPath("/readyz").withPort(new IntOrString(ShardNames.HTTP_PORT)).endHttpGet();
    } else {
      probe.withNewTcpSocket().withPort(new IntOrString(ShardNames.GRPC_PORT)).endTcpSocket();
    }
    return probe.build();
  }

  static Map<String, String> labels(LLMDeployment owner, ShardPlan plan) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "shard-worker");
    labels.put(ShardNames.LABEL_MANAGED_BY, ShardNames.MANAGED_BY);
    labels.putAll(selector(owner, plan));
    labels.put(ShardNames.LABEL_ROLE, plan.head() ? ShardNames.ROLE_HEAD : ShardNames.ROLE_WORKER);
    return labels;
  }

  private static Map<String, String> selector(LLMDeployment owner, ShardPlan plan) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(ShardNames.LABEL_DEPLOYMENT, owner.getMetadata().getName());
    selector.put(ShardNames.LABEL_PLAN, plan.planId());
    selector.put(ShardNames.LABEL_SHARD, Integer.toString(plan.shardIndex()));
    return selector;
  }

  private static ObjectMeta meta(LLMDeployment owner, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(owner.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(ownerReference(owner))
        .build();
  }

  static OwnerReference ownerReference(LLMDeployment owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
