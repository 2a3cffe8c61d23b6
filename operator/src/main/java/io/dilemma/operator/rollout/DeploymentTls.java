package io.dilemma.operator.rollout;

import io.dilemma.contract.ShardTls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The mTLS material of one LLMDeployment (see {@link ShardTls}): a CA of its own and one
 * certificate for all its shards. Pure apart from the randomness of the keys.
 */
public final class DeploymentTls {
  static final Duration VALIDITY = Duration.ofDays(365);
  /** Renewed this long before it expires, so no shard ever holds an expired certificate. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private DeploymentTls() {}

  /** The Secret's data, by file name under {@link ShardTls#MOUNT_PATH}, as PEM text. */
  public static Map<String, String> issue(String namespace, String deployment, Instant now) {
    try {
      KeyPair caKey = ecKey();
      KeyPair shardKey = ecKey();
      Date notBefore = Date.from(now.minus(Duration.ofMinutes(5)));
      Date notAfter = Date.from(now.plus(VALIDITY));
      X500Name caName = new X500Name("CN=dilemma CA " + namespace + "/" + deployment);
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(caName, serial(), notBefore, notAfter, caName, caKey.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKey);

      X509v3CertificateBuilder shard =
          new JcaX509v3CertificateBuilder(
              caName, serial(), notBefore, notAfter,
              new X500Name("CN=" + deployment + "." + namespace), shardKey.getPublic());
      shard.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      shard.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      shard.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      shard.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "*." + namespace + ".svc"),
                new GeneralName(GeneralName.dNSName, "*." + namespace + ".svc.cluster.local"),
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
      X509Certificate shardCert = sign(shard, caKey);
      return Map.of(
          ShardTls.CA_FILE, pem(caCert),
          ShardTls.CERT_FILE, pem(shardCert),
          ShardTls.KEY_FILE, pem(new JcaPKCS8Generator(shardKey.getPrivate(), null).generate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue the mTLS certificates of " + namespace + "/" + deployment, e);
    }
  }

  /** Whether the material must be issued again: missing, unreadable, or close to expiry. */
  public static boolean needsRenewal(Map<String, String> data, Instant now) {
    if (data == null) return true;
    for (String file : new String[] {ShardTls.CA_FILE, ShardTls.CERT_FILE, ShardTls.KEY_FILE}) {
      if (data.get(file) == null || data.get(file).isBlank()) return true;
    }
    try {
      X509Certificate cert = certificate(data.get(ShardTls.CERT_FILE));
      return cert.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE));
    } catch (GeneralSecurityException e) {
      return true;
    }
  }

  /** When {@link #needsRenewal} starts saying so for material it accepts now. */
  public static Instant renewalDue(Map<String, String> data) {
    try {
      return certificate(data.get(ShardTls.CERT_FILE)).getNotAfter().toInstant().minus(RENEW_BEFORE);
    } catch (GeneralSecurityException | RuntimeException e) {
      return Instant.MIN;
    }
  }

  static X509Certificate certificate(String pem) throws GeneralSecurityException {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
