package io.dilemma.contract;

/**
 * Where a shard-worker finds its mTLS material: the operator creates one Secret per LLMDeployment
 * (a CA of its own, and one certificate every shard of the deployment presents) and mounts it
 * read-only at {@value #MOUNT_PATH} in every shard pod.
 *
 * <ul>
 *   <li>{@value #CA_FILE}: the deployment's CA, PEM. Trust only it: a peer with a certificate from
 *       another deployment's CA is refused.
 *   <li>{@value #CERT_FILE}: the shard certificate, PEM, signed by that CA; extended key usage
 *       serverAuth and clientAuth, SANs {@code *.<namespace>.svc}, {@code
 *       *.<namespace>.svc.cluster.local}, {@code localhost} and {@code 127.0.0.1}.
 *   <li>{@value #KEY_FILE}: its private key, PEM, PKCS#8 (EC P-256).
 * </ul>
 *
 * Each gRPC server requires a client certificate from the CA; each client presents the
 * certificate and verifies the server's. The head serves no gRPC and only dials out.
 */
public final class ShardTls {
  public static final String MOUNT_PATH = "/etc/dilemma/tls";
  public static final String CA_FILE = "ca.crt";
  public static final String CERT_FILE = "tls.crt";
  public static final String KEY_FILE = "tls.key";

  private ShardTls() {}
}
