package io.dilemma.operator.rollout;

/**
 * Names and labels of the objects one LLMDeployment owns. Shard objects carry the plan id in their
 * name, so a new plan's shards start next to the old ones instead of replacing them in place.
 */
public final class ShardNames {
  public static final String LABEL_DEPLOYMENT = "dilemma.io/deployment";
  public static final String LABEL_PLAN = "dilemma.io/plan";
  public static final String LABEL_SHARD = "dilemma.io/shard";
  public static final String LABEL_ROLE = "dilemma.io/role";
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "dilemma-operator";
  public static final String ROLE_HEAD = "head";
  public static final String ROLE_WORKER = "worker";
  public static final String SHARD_PLAN_HASH = "dilemma.io/shard-plan-sha256";
  /** On the pod template: a renewed certificate restarts every shard, so none keeps the old CA. */
  public static final String TLS_HASH = "dilemma.io/tls-sha256";
  public static final int HTTP_PORT = 8080;
  public static final int GRPC_PORT = 9090;
  /** A label value, such as the deployment name in {@link #LABEL_DEPLOYMENT}, holds at most this. */
  public static final int MAX_LABEL_VALUE = 63;

  /** Services are DNS-1035 labels (≤ 63 chars); leave room for "-" + 10-char plan id + "-NN". */
  private static final int MAX_PREFIX = 48;

  private ShardNames() {}

  /** Shard objects: ConfigMap, Deployment and Service share this name. */
  public static String shard(String deployment, String planId, int index) {
    return prefix(deployment) + "-" + planId + "-" + index;
  }

  /** The Service clients use; it points at the head of the serving plan. */
  public static String headService(String deployment) {
    return prefix(deployment);
  }

  /** The deployment's mTLS Secret (see {@link io.dilemma.contract.ShardTls}). */
  public static String tlsSecret(String deployment) {
    return prefix(deployment) + "-tls";
  }

  public static String grpcAddress(String deployment, String planId, int index, String namespace) {
    return serviceHost(deployment, planId, index, namespace) + ":" + GRPC_PORT;
  }

  /** The DNS name of a shard's Service; also a host alias of its ClusterIP in every shard pod. */
  public static String serviceHost(String deployment, String planId, int index, String namespace) {
    return shard(deployment, planId, index) + "." + namespace + ".svc";
  }

  private static String prefix(String deployment) {
    String p = deployment.length() > MAX_PREFIX ? deployment.substring(0, MAX_PREFIX) : deployment;
    return p.endsWith("-") ? p.substring(0, p.length() - 1) : p;
  }
}
