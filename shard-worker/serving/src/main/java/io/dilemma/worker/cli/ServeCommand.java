package io.dilemma.worker.cli;

import io.dilemma.commandline.ExitCode;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.contract.ShardDrain;
import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.serving.ShardWorker;
import io.dilemma.worker.serving.plan.ModelSourceResolver;
import io.dilemma.worker.serving.plan.PlanException;
import io.dilemma.worker.serving.plan.ShardPlanFile;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.transport.ShardTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "serve",
    description = "Serve one shard of a pipeline as described by its shard plan (the operator's ConfigMap).")
public final class ServeCommand extends DilemmaCommand {
  static final int DEFAULT_GRPC_PORT = 50051;

  @Option(names = "--plan", required = true, description = "shard plan JSON (io.dilemma.contract.ShardPlan)")
  Path plan;

  @Mixin BindOption bind;

  @Option(names = "--grpc-port", description = "gRPC port of a shard after the head (default " + DEFAULT_GRPC_PORT + "); the head runs no gRPC server and ignores it")
  Integer grpcPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port: the OpenAI API (/v1/completions, /v1/chat/completions, /v1/models) on the head, /healthz /readyz /metrics everywhere (default ${DEFAULT-VALUE})")
  int httpPort;

  @Option(names = "--pvc-root", defaultValue = "/mnt/models", description = "where pvc://claim/path model sources are mounted (default ${DEFAULT-VALUE})")
  Path pvcRoot;

  @Option(names = "--model-cache", defaultValue = "${java.io.tmpdir}/dilemma-models", description = "download cache for http(s):// model sources (default ${DEFAULT-VALUE})")
  Path modelCache;

  @Option(names = "--chat-template", description = "JSON chat template for /v1/chat/completions on the head: {system, user, assistant, assistantPrefix, stop}; overrides the plan's chatTemplate; default: the plan's, else plain \"User:\"/\"Assistant:\" lines")
  Path chatTemplate;

  @Option(
      names = "--tls-dir",
      description = {
        "mTLS between shards: a directory with tls.crt (this shard's certificate chain), tls.key (PKCS#8 PEM)",
        "and ca.crt (the CA peers must chain to), e.g. a mounted kubernetes.io/tls Secret; re-read every minute.",
        "Without it shards talk plaintext gRPC."
      })
  Path tlsDir;

  @Override
  protected int execute() throws Exception {
    ShardWorker worker;
    try {
      ShardPlan shard = ShardPlanFile.read(plan);
      Optional<ChatTemplate> chat = Optional.empty();
      if (chatTemplate != null) {
        try {
          chat = Optional.of(ChatTemplate.read(chatTemplate));
        } catch (IOException e) {
          throw new PlanException("--chat-template " + e.getMessage());
        }
        if (shard.chatTemplate() != null) err().println("note: --chat-template overrides the plan's chatTemplate");
      }
      if (shard.head() && grpcPort != null) {
        err().println("note: --grpc-port is ignored: the head runs no gRPC server");
      }
      Optional<ShardWorker.GrpcServerFactory> grpc =
          shard.head()
              ? Optional.empty()
              : Optional.of(ShardWorker.GrpcServerFactory.on(new InetSocketAddress(bind.address, grpcPort == null ? DEFAULT_GRPC_PORT : grpcPort)));
      ShardTls tls = tlsDir == null ? ShardTls.plaintext() : ShardTls.fromDirectory(tlsDir, ShardTls.DEFAULT_RELOAD);
      Path modelDir = new ModelSourceResolver(pvcRoot, modelCache).resolve(shard);
      worker = ShardWorker.start(shard, modelDir, new ShardWorker.Listeners(new InetSocketAddress(bind.address, httpPort), grpc, HttpLimits.defaults(), chat), tls);
    } catch (ShardTls.TlsConfigException e) {
      // The one bad input found here rather than by a reader of the plan: name the flag.
      throw new ShardTls.TlsConfigException("--tls-dir " + e.getMessage());
    } catch (IOException e) {
      throw new IOException("cannot start on " + bind.address + " (HTTP " + httpPort + (grpcPort == null ? "" : ", gRPC " + grpcPort) + "): " + e.getMessage(), e);
    }
    ShardPlan shard = worker.plan();
    out().printf(
        "shard %d/%d of %s (plan %s) serving layers %d..%d; gRPC %s, HTTP %d%n",
        shard.shardIndex(), shard.shardCount(), shard.deployment(), shard.planId(),
        shard.firstLayer(), shard.lastLayer(), worker.grpcPort().map(String::valueOf).orElse("none"), worker.httpPort());
    out().flush();
    // SIGTERM comes after the pod's preStop drain: answer what is in flight, then exit.
    Duration grace = Duration.ofSeconds(shard.head() ? ShardDrain.HEAD_STOP_GRACE_SECONDS : ShardDrain.RELAY_STOP_GRACE_SECONDS);
    ShardWorker stopping = worker;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopping.stopGracefully(grace), "shutdown"));
    worker.awaitTermination();
    return ExitCode.OK;
  }
}
