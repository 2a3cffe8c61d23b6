package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.contract.ShardTls;
import io.dilemma.operator.Fixtures;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-deployment mTLS material (issue 12, defect 5). */
class DeploymentTlsTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private final Map<String, String> tls = DeploymentTls.issue("llm", "chat", NOW);

  @Test
  void theShardCertificateIsSignedByTheDeploymentsOwnCa() throws Exception {
    X509Certificate ca = DeploymentTls.certificate(tls.get(ShardTls.CA_FILE));
    X509Certificate shard = DeploymentTls.certificate(tls.get(ShardTls.CERT_FILE));
    shard.verify(ca.getPublicKey());
    ca.verify(ca.getPublicKey());
    assertThat(ca.getBasicConstraints()).isZero();
    assertThat(shard.getBasicConstraints()).isEqualTo(-1);
    assertThat(shard.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(shard.getSubjectAlternativeNames())
        .extracting(n -> (Object) String.valueOf(n.get(1)))
        .contains((Object) "*.llm.svc", "*.llm.svc.cluster.local", "localhost", "127.0.0.1");
    // another deployment's CA does not vouch for this certificate
    X509Certificate otherCa = DeploymentTls.certificate(DeploymentTls.issue("llm", "other", NOW).get(ShardTls.CA_FILE));
    assertThat(otherCa.getPublicKey()).isNotEqualTo(ca.getPublicKey());
  }

  @Test
  void theKeyIsPkcs8AndBelongsToTheCertificate() throws Exception {
    String pem = tls.get(ShardTls.KEY_FILE);
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key);
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(DeploymentTls.certificate(tls.get(ShardTls.CERT_FILE)).getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertThat(verifier.verify(signature)).isTrue();
  }

  @Test
  void materialIsRenewedWhenMissingBrokenOrCloseToExpiry() {
    assertThat(DeploymentTls.needsRenewal(tls, NOW)).isFalse();
    assertThat(DeploymentTls.needsRenewal(tls, NOW.plus(DeploymentTls.VALIDITY).minus(Duration.ofDays(29)))).isTrue();
    assertThat(DeploymentTls.needsRenewal(null, NOW)).isTrue();
    Map<String, String> broken = new HashMap<>(tls);
    broken.put(ShardTls.CERT_FILE, "not a certificate");
    assertThat(DeploymentTls.needsRenewal(broken, NOW)).isTrue();
    broken.remove(ShardTls.KEY_FILE);
    assertThat(DeploymentTls.needsRenewal(broken, NOW)).isTrue();
  }

  @Test
  void everyShardMountsTheSecretAtTheContractPath() {
    LLMDeployment owner = Fixtures.deployment("chat", Fixtures.spec("a", 0.5));
    var plans = ShardPlans.of("chat", "llm", owner.getSpec(), Fixtures.plan("p1", 2));
    for (var plan : plans) {
      var pod = new ShardResources(1 << 20).shard(owner, plan, 1000, "h1").deployment().getSpec().getTemplate();
      assertThat(pod.getMetadata().getAnnotations()).containsEntry(ShardNames.TLS_HASH, "h1");
      var volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
      assertThat(volume.getSecret().getSecretName()).isEqualTo("chat-tls");
      assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0440);
      assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
          .anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("tls");
            assertThat(m.getMountPath()).isEqualTo("/etc/dilemma/tls");
            assertThat(m.getReadOnly()).isTrue();
          });
    }
    assertThat(List.of(ShardTls.CA_FILE, ShardTls.CERT_FILE, ShardTls.KEY_FILE))
        .containsExactly("ca.crt", "tls.crt", "tls.key");
  }
}
