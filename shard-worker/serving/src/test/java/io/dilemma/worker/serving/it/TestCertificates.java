package io.dilemma.worker.serving.it;

import io.dilemma.worker.serving.transport.ShardTls;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA and shard certificates for 127.0.0.1, written in the layout {@link ShardTls} reads. */
final class TestCertificates {
  private final KeyPair caKeys;
  private final X509Certificate ca;

  TestCertificates(String caName) throws Exception {
    caKeys = keyPair();
    JcaX509v3CertificateBuilder builder = builder(new X500Name("CN=" + caName), new X500Name("CN=" + caName), caKeys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca = sign(builder, caKeys.getPrivate());
  }

  /** Writes tls.crt, tls.key and ca.crt for a shard on 127.0.0.1 into {@code dir}. */
  Path writeShard(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    KeyPair keys = keyPair();
    JcaX509v3CertificateBuilder builder = builder(new X500Name("CN=" + ca.getSubjectX500Principal().getName().substring(3)), new X500Name("CN=" + name), keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    X509Certificate certificate = sign(builder, caKeys.getPrivate());
    Files.writeString(dir.resolve(ShardTls.CERTIFICATE), pem(certificate));
    Files.writeString(dir.resolve(ShardTls.PRIVATE_KEY), pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate()));
    Files.writeString(dir.resolve(ShardTls.TRUSTED_CA), pem(ca));
    return dir;
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    long now = System.currentTimeMillis();
    return new JcaX509v3CertificateBuilder(
        issuer, BigInteger.valueOf(now ^ System.nanoTime()).abs(), new Date(now - 60_000), new Date(now + 86_400_000L), subject, keys.getPublic());
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
