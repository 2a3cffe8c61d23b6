package io.dilemma.worker.cli;

import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.model.runtime.ModelException;
import io.dilemma.worker.serving.ShardWorker;
import io.dilemma.worker.serving.plan.ModelSourceResolver;
import io.dilemma.worker.serving.plan.PlanException;
import io.dilemma.worker.serving.plan.ShardPlanFile;
import io.dilemma.worker.serving.transport.ShardTls;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve one shard of a pipeline as described by its shard plan (the operator's ConfigMap).")
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--plan", required = true, description = "shard plan JSON (io.dilemma.contract.ShardPlan)")
  Path plan;

  @Option(names = "--bind", defaultValue = "0.0.0.0", description = "interface to listen on (default ${DEFAULT-VALUE})")
  String bind;

  @Option(names = "--grpc-port", defaultValue = "50051", description = "gRPC port of shards after the head (default ${DEFAULT-VALUE}); the head has no gRPC server")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port: /v1/completions on the head, /healthz /readyz /metrics everywhere (default ${DEFAULT-VALUE})")
  int httpPort;

  @Option(names = "--pvc-root", defaultValue = "/mnt/models", description = "where pvc://claim/path model sources are mounted (default ${DEFAULT-VALUE})")
  Path pvcRoot;

  @Option(names = "--model-cache", defaultValue = "${java.io.tmpdir}/dilemma-models", description = "download cache for http(s):// model sources (default ${DEFAULT-VALUE})")
  Path modelCache;

  @Option(
      names = "--tls-dir",
      description = {
        "mTLS between shards: a directory with tls.crt (this shard's certificate chain), tls.key (PKCS#8 PEM)",
        "and ca.crt (the CA peers must chain to), e.g. a mounted kubernetes.io/tls Secret; re-read every minute.",
        "Without it shards talk plaintext gRPC."
      })
  Path tlsDir;

  @Override
  public Integer call() throws InterruptedException {
    ShardWorker worker;
    try {
      ShardPlan shard = ShardPlanFile.read(plan);
      Path modelDir = new ModelSourceResolver(pvcRoot, modelCache).resolve(shard);
      ShardTls tls = tlsDir == null ? ShardTls.plaintext() : ShardTls.fromDirectory(tlsDir, ShardTls.DEFAULT_RELOAD);
      worker = ShardWorker.start(shard, modelDir, new ShardWorker.Ports(bind, grpcPort, httpPort), tls);
    } catch (ShardTls.TlsConfigException e) {
      spec.commandLine().getErr().println("error: --tls-dir " + e.getMessage());
      return 2;
    } catch (PlanException | ModelException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      spec.commandLine().getErr().println("error: cannot listen on " + bind + " (gRPC " + grpcPort + ", HTTP " + httpPort + "): " + e.getMessage());
      return 1;
    }
    ShardPlan shard = worker.plan();
    spec.commandLine().getOut().printf(
        "shard %d/%d of %s (plan %s) serving layers %d..%d; gRPC %s, HTTP %d%n",
        shard.shardIndex(), shard.shardCount(), shard.deployment(), shard.planId(),
        shard.firstLayer(), shard.lastLayer(), worker.grpcPort() < 0 ? "none" : Integer.toString(worker.grpcPort()), worker.httpPort());
    spec.commandLine().getOut().flush();
    Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "shutdown"));
    worker.awaitTermination();
    return 0;
  }
}
