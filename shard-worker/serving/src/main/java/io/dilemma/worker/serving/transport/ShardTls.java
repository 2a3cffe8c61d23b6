package io.dilemma.worker.serving.transport;

import io.dilemma.commandline.BadInput;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Mutual TLS between shards, from a directory of PEM files (a mounted Kubernetes Secret of type
 * {@code kubernetes.io/tls} with {@code ca.crt}, as cert-manager writes it):
 *
 * <ul>
 *   <li>{@value #CERTIFICATE}: this shard's certificate, then any intermediates. Its subject
 *       alternative names must include the host every previous shard dials (the host part of the
 *       plan's {@code nextShard}), and it must allow both server and client authentication;
 *   <li>{@value #PRIVATE_KEY}: its private key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY});
 *   <li>{@value #TRUSTED_CA}: the CA certificates a peer's certificate must chain to.
 * </ul>
 *
 * A shard's gRPC server then requires a client certificate from that CA, and its link to the next
 * shard presents its own and checks the next shard's against the CA and the host name. The files
 * are re-read periodically, so a rotated Secret takes effect without a restart.
 */
public final class ShardTls implements AutoCloseable {
  public static final String CERTIFICATE = "tls.crt";
  public static final String PRIVATE_KEY = "tls.key";
  public static final String TRUSTED_CA = "ca.crt";
  public static final Duration DEFAULT_RELOAD = Duration.ofMinutes(1);

  private final ServerCredentials server;
  private final ChannelCredentials channel;
  private final List<Closeable> reloads;
  private final ScheduledExecutorService reloader;

  private ShardTls(ServerCredentials server, ChannelCredentials channel, List<Closeable> reloads, ScheduledExecutorService reloader) {
    this.server = server;
    this.channel = channel;
    this.reloads = reloads;
    this.reloader = reloader;
  }

  /** No TLS: only for loopback tests and benchmarks, or a network that is otherwise protected. */
  public static ShardTls plaintext() {
    return new ShardTls(InsecureServerCredentials.create(), InsecureChannelCredentials.create(), List.of(), null);
  }

  /** Loads the three files from {@code dir} now (failing with a message naming the bad file) and re-reads them every {@code reload}. */
  public static ShardTls fromDirectory(Path dir, Duration reload) throws TlsConfigException {
    Path certificate = requireFile(dir, CERTIFICATE);
    Path key = requireFile(dir, PRIVATE_KEY);
    Path ca = requireFile(dir, TRUSTED_CA);
    ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "tls-reload");
      thread.setDaemon(true);
      return thread;
    });
    List<Closeable> reloads = new ArrayList<>();
    try {
      AdvancedTlsX509KeyManager identity = new AdvancedTlsX509KeyManager();
      try {
        identity.updateIdentityCredentials(certificate.toFile(), key.toFile());
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new TlsConfigException(certificate + " with " + key + ": not a PEM certificate chain and PKCS#8 private key: " + oneLine(e));
      }
      AdvancedTlsX509TrustManager peersOfServer = trustManager(ca, Verification.CERTIFICATE_ONLY_VERIFICATION);
      AdvancedTlsX509TrustManager peersOfClient = trustManager(ca, Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION);
      long period = Math.max(1, reload.toSeconds());
      reloads.add(identity.updateIdentityCredentials(certificate.toFile(), key.toFile(), period, TimeUnit.SECONDS, reloader)::close);
      reloads.add(peersOfServer.updateTrustCredentials(ca.toFile(), period, TimeUnit.SECONDS, reloader)::close);
      reloads.add(peersOfClient.updateTrustCredentials(ca.toFile(), period, TimeUnit.SECONDS, reloader)::close);
      ServerCredentials server =
          TlsServerCredentials.newBuilder()
              .keyManager(identity)
              .trustManager(peersOfServer)
              .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
              .build();
      ChannelCredentials channel = TlsChannelCredentials.newBuilder().keyManager(identity).trustManager(peersOfClient).build();
      return new ShardTls(server, channel, reloads, reloader);
    } catch (IOException | GeneralSecurityException e) {
      reloader.shutdownNow();
      throw new TlsConfigException(dir + ": " + oneLine(e));
    } catch (TlsConfigException | RuntimeException e) {
      reloader.shutdownNow();
      throw e;
    }
  }

  private static AdvancedTlsX509TrustManager trustManager(Path ca, Verification verification) throws TlsConfigException {
    try {
      AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder().setVerification(verification).build();
      trust.updateTrustCredentials(ca.toFile());
      return trust;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new TlsConfigException(ca + ": not a PEM CA certificate bundle: " + oneLine(e));
    }
  }

  private static Path requireFile(Path dir, String name) throws TlsConfigException {
    Path file = dir.resolve(name);
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new TlsConfigException(file + ": no such readable file (the TLS directory needs " + CERTIFICATE + ", " + PRIVATE_KEY + " and " + TRUSTED_CA + ")");
    }
    return file;
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  public boolean enabled() {
    return reloader != null;
  }

  public ServerCredentials serverCredentials() {
    return server;
  }

  public ChannelCredentials channelCredentials() {
    return channel;
  }

  @Override
  public void close() {
    for (Closeable reload : reloads) {
      try {
        reload.close();
      } catch (IOException ignored) {
        // stopping a scheduled re-read cannot fail in a way worth reporting
      }
    }
    if (reloader != null) {
      reloader.shutdownNow();
    }
  }

  /** The TLS directory or one of its files is missing or unreadable: the user must fix it. */
  public static final class TlsConfigException extends Exception implements BadInput {
    public TlsConfigException(String message) {
      super(message);
    }
  }
}
