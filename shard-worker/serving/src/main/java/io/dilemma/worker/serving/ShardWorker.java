package io.dilemma.worker.serving;

import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.format.ShardManifest;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ModelException;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.tokenizer.BpeTokenizer;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.head.CompletionEngine;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.http.ShardHttpApi;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardCompute;
import io.dilemma.worker.serving.pipeline.ShardPipelineService;
import io.grpc.Server;
import io.dilemma.worker.serving.transport.ShardGrpcServer;
import io.dilemma.worker.serving.transport.ShardTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One running shard: its part of the model, the link to the next shard, the gRPC server (shards
 * after the head) and the HTTP API (every shard; completions on the head).
 */
public final class ShardWorker implements AutoCloseable {
  private static final int HTTP_THREADS = 32;

  /**
   * @param bindHost interface to listen on
   * @param grpcPort gRPC port of a shard after the head (the previous shard's {@code nextShard}); 0 picks a free one
   * @param httpPort HTTP port; 0 picks a free one
   */
  public record Ports(String bindHost, int grpcPort, int httpPort) {}

  private final ShardPlan plan;
  private final ShardRunner runner;
  private final NextShardLink next;
  private final Server grpc;
  private final ShardHttpApi http;
  private final ScheduledExecutorService janitor;
  private final ShardPipelineService service;
  private final ShardTls tls;

  private ShardWorker(
      ShardPlan plan,
      ShardRunner runner,
      NextShardLink next,
      Server grpc,
      ShardPipelineService service,
      ShardHttpApi http,
      ScheduledExecutorService janitor,
      ShardTls tls) {
    this.service = service;
    this.tls = tls;
    this.plan = plan;
    this.runner = runner;
    this.next = next;
    this.grpc = grpc;
    this.http = http;
    this.janitor = janitor;
  }

  public static ShardWorker start(ShardPlan plan, Path modelDir, Ports ports) throws ModelException, IOException {
    return start(plan, modelDir, ports, ShardTls.plaintext());
  }

  /** @param tls mTLS between shards ({@link ShardTls#fromDirectory}), or plaintext */
  public static ShardWorker start(ShardPlan plan, Path modelDir, Ports ports, ShardTls tls) throws ModelException, IOException {
    LayerSelection selection =
        new LayerSelection(plan.firstLayer(), plan.lastLayer(), plan.layerBits(), plan.head(), plan.lmHead());
    ShardRunner runner = ShardRunner.open(modelDir, selection);
    try {
      return start(plan, runner, plan.head() ? promptText(modelDir) : PromptText.NONE, ports, tls);
    } catch (IOException | RuntimeException e) {
      runner.close();
      throw e;
    }
  }

  private static ShardWorker start(ShardPlan plan, ShardRunner runner, PromptText text, Ports ports, ShardTls tls)
      throws IOException {
    ShardPlan.ServingLimits limits = plan.limits() == null ? ShardPlan.ServingLimits.defaults() : plan.limits();
    ServingMetrics metrics = new ServingMetrics(plan.deployment() == null ? "" : plan.deployment(), plan.shardIndex());
    ShardCompute compute = new ShardCompute(runner, plan, metrics);
    int maxMessageBytes =
        ActivationFrameCodec.HEADER_BYTES + 4 * runner.dimensions().maxPositions() * runner.dimensions().hiddenSize() + 4096;
    NextShardLink next =
        plan.lmHead()
            ? null
            : new NextShardLink(
                plan.shardIndex(), plan.shardCount() - 1, plan.nextShard(), Duration.ofMillis(limits.requestTimeoutMillis()),
                maxMessageBytes, tls.channelCredentials(), metrics);
    Server grpc = null;
    ShardPipelineService service = null;
    CompletionEngine engine = null;
    if (plan.head()) {
      engine = new CompletionEngine(plan.planId(), compute, next, metrics);
    } else {
      service = new ShardPipelineService(plan.planId(), compute, next);
      grpc =
          ShardGrpcServer.builder(new InetSocketAddress(ports.bindHost(), ports.grpcPort()), tls, maxMessageBytes)
              .addService(service)
              .build()
              .start();
    }
    CompletionEngine headEngine = engine;
    ShardHttpApi http =
        new ShardHttpApi(
            new InetSocketAddress(ports.bindHost(), ports.httpPort()),
            HTTP_THREADS,
            metrics,
            () -> {
              if (headEngine != null) {
                headEngine.checkChain();
              } else if (next != null) {
                next.checkChain(plan.planId());
              }
            },
            engine,
            text,
            plan.model().name() == null ? plan.deployment() : plan.model().name(),
            runner.dimensions().vocabSize());
    http.start();
    ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "session-ttl");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(1, Math.min(10, limits.sessionTtlSeconds() / 4));
    janitor.scheduleAtFixedRate(compute::evictIdleSessions, period, period, TimeUnit.SECONDS);
    return new ShardWorker(plan, runner, next, grpc, service, http, janitor, tls);
  }

  private static PromptText promptText(Path modelDir) throws ModelException {
    ShardManifest manifest = ModelDirectory.open(modelDir).manifest();
    if (manifest.tokenizer() == null) {
      return PromptText.NONE;
    }
    BpeTokenizer tokenizer =
        BpeTokenizer.load(modelDir.resolve(manifest.tokenizer().vocab()), modelDir.resolve(manifest.tokenizer().merges()));
    return new PromptText() {
      @Override
      public long[] encode(String text) {
        return tokenizer.encode(text);
      }

      @Override
      public String decode(long[] tokenIds) {
        return tokenizer.decode(tokenIds);
      }
    };
  }

  public int grpcPort() {
    return grpc == null ? -1 : grpc.getPort();
  }

  public int httpPort() {
    return http.port();
  }

  public ShardPlan plan() {
    return plan;
  }

  /** Blocks until the worker is closed (or the JVM stops). */
  public void awaitTermination() throws InterruptedException {
    if (grpc != null) {
      grpc.awaitTermination();
    } else {
      janitor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    }
  }

  @Override
  public void close() {
    http.close();
    if (grpc != null) {
      grpc.shutdownNow();
      service.close();
    }
    if (next != null) {
      next.close();
    }
    janitor.shutdownNow();
    tls.close();
    runner.close();
  }
}
