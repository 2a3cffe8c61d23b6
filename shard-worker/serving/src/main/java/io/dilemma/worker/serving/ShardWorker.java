package io.dilemma.worker.serving;

import io.dilemma.contract.ShardDrain;
import io.dilemma.contract.ShardPlan;
import io.dilemma.worker.model.core.ModelException;
import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.head.ChatTemplate;
import io.dilemma.worker.serving.head.CompletionEngine;
import io.dilemma.worker.serving.head.Downstream;
import io.dilemma.worker.serving.head.PromptText;
import io.dilemma.worker.serving.head.TextGeneration;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.http.OpenAiApi;
import io.dilemma.worker.serving.http.Probes;
import io.dilemma.worker.serving.http.ShardHttpApi;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.NextShardLink;
import io.dilemma.worker.serving.pipeline.ShardCompute;
import io.dilemma.worker.serving.pipeline.ShardPipelineService;
import io.dilemma.worker.serving.transport.ShardGrpcServer;
import io.dilemma.worker.serving.transport.ShardTls;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One running shard: its part of the model, its {@link ShardRole} (the head's completion engine, or
 * a relay's gRPC server) and the HTTP API every shard serves.
 */
public final class ShardWorker implements AutoCloseable {

  /**
   * Where and how a worker listens.
   *
   * @param http the HTTP API's address (port 0 picks a free one)
   * @param grpc the gRPC server a relay serves on, chosen by the caller (an address, or an
   *     in-process server in tests); the head runs none, so it is empty for a head's plan
   * @param httpLimits what one HTTP client may cost
   * @param chatOverride how the head turns chat messages into a prompt, in place of the plan's
   *     template ({@code --chat-template}); empty: the plan's, else {@link ChatTemplate#plainDialogue()}
   */
  public record Listeners(
      InetSocketAddress http,
      Optional<GrpcServerFactory> grpc,
      HttpLimits httpLimits,
      Optional<ChatTemplate> chatOverride,
      Path drainMarker) {
    /** With the marker where the operator's preStop hook writes it. */
    public Listeners(
        InetSocketAddress http, Optional<GrpcServerFactory> grpc, HttpLimits httpLimits, Optional<ChatTemplate> chatOverride) {
      this(http, grpc, httpLimits, chatOverride, Path.of(ShardDrain.MARKER));
    }
  }

  /**
   * A relay's gRPC server, built once the worker knows the largest frame its model can send and
   * with the worker's TLS, so a shard's server and its link to the next shard share one identity.
   */
  @FunctionalInterface
  public interface GrpcServerFactory {
    ServerBuilder<?> builder(ShardTls tls, int maxMessageBytes);

    /** The production server on {@code address}: mTLS when configured, per-connection limits. */
    static GrpcServerFactory on(InetSocketAddress address) {
      return (tls, maxMessageBytes) -> ShardGrpcServer.builder(address, tls, maxMessageBytes);
    }
  }

  /** The preStop hook waits seconds; noticing within a fifth of one leaves most of them to drain. */
  private static final long DRAIN_POLL_MILLIS = 200;

  private final ShardPlan plan;
  private final ShardRunner runner;
  private final ShardRole role;
  private final ShardHttpApi http;
  private final ScheduledExecutorService janitor;
  private final ShardTls tls;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

  private ShardWorker(
      ShardPlan plan, ShardRunner runner, ShardRole role, ShardHttpApi http, ScheduledExecutorService janitor, ShardTls tls) {
    this.plan = plan;
    this.runner = runner;
    this.role = role;
    this.http = http;
    this.janitor = janitor;
    this.tls = tls;
  }

  /** A worker whose shards talk plaintext gRPC. */
  public static ShardWorker start(ShardPlan plan, Path modelDir, Listeners listeners) throws ModelException, IOException {
    return start(plan, modelDir, listeners, ShardTls.plaintext());
  }

  /**
   * @param tls mTLS between shards ({@link ShardTls#fromDirectory}), or plaintext; the worker owns
   *     it from here and closes it, also when it fails to start
   */
  public static ShardWorker start(ShardPlan plan, Path modelDir, Listeners listeners, ShardTls tls)
      throws ModelException, IOException {
    LayerSelection selection =
        new LayerSelection(plan.firstLayer(), plan.lastLayer(), plan.layerBits(), plan.head(), plan.lmHead());
    ShardRunner runner;
    try {
      runner = ShardRunner.open(modelDir, selection);
    } catch (ModelException | RuntimeException e) {
      tls.close();
      throw e;
    }
    try {
      return start(plan, runner, plan.head() ? promptText(modelDir) : PromptText.NONE, listeners, tls);
    } catch (ModelException | IOException | RuntimeException e) {
      runner.close();
      tls.close();
      throw e;
    }
  }

  private static ShardWorker start(ShardPlan plan, ShardRunner runner, PromptText text, Listeners listeners, ShardTls tls)
      throws IOException {
    ShardPlan.ServingLimits limits = plan.limits() == null ? ShardPlan.ServingLimits.defaults() : plan.limits();
    ServingMetrics metrics = ServingMetrics.of(plan);
    ShardCompute compute = new ShardCompute(runner, plan, metrics);
    int maxMessageBytes =
        ActivationFrameCodec.HEADER_BYTES + 4 * runner.dimensions().maxPositions() * runner.dimensions().hiddenSize() + 4096;
    Optional<NextShardLink> next =
        plan.lmHead()
            ? Optional.empty()
            : Optional.of(new NextShardLink(
                plan.shardIndex(), plan.shardCount() - 1, plan.nextShard(), Duration.ofMillis(limits.requestTimeoutMillis()),
                maxMessageBytes, tls.channelCredentials(), metrics));
    ShardRole role;
    Optional<OpenAiApi> api = Optional.empty();
    int vocabSize = runner.dimensions().vocabSize();
    try {
      if (plan.head()) {
        Optional<Downstream> downstream = next.map(Downstream::over);
        CompletionEngine engine = new CompletionEngine(plan.planId(), compute, downstream, vocabSize, metrics);
        role = new ShardRole.Head(engine, downstream);
        String model = plan.model().name() == null ? plan.deployment() : plan.model().name();
        api = Optional.of(new OpenAiApi(
            new TextGeneration(engine, text), text, ChatTemplate.forHead(plan, listeners.chatOverride()), model, vocabSize, listeners.httpLimits().maxPromptBytes()));
      } else {
        GrpcServerFactory server =
            listeners.grpc().orElseThrow(() -> new IllegalArgumentException(
                "shard " + plan.shardIndex() + " serves the pipeline over gRPC, but no gRPC port was given"));
        ShardPipelineService service = new ShardPipelineService(plan.planId(), compute, next.orElse(null));
        Server grpc;
        try {
          grpc = server.builder(tls, maxMessageBytes).addService(service).build().start();
        } catch (IOException | RuntimeException e) {
          service.close();
          throw e;
        }
        role = new ShardRole.Relay(plan.planId(), grpc, service, next);
      }
    } catch (IOException | RuntimeException e) {
      next.ifPresent(NextShardLink::close);
      throw e;
    }
    ShardHttpApi http;
    try {
      http = new ShardHttpApi(listeners.http(), listeners.httpLimits(), new Probes(metrics, role::checkChain), api);
      http.start();
    } catch (IOException | RuntimeException e) {
      role.close();
      throw e;
    }
    ScheduledExecutorService janitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "session-ttl");
      thread.setDaemon(true);
      return thread;
    });
    long period = Math.max(1, Math.min(10, limits.sessionTtlSeconds() / 4));
    janitor.scheduleAtFixedRate(compute::evictIdleSessions, period, period, TimeUnit.SECONDS);
    DrainMarker drain = new DrainMarker(listeners.drainMarker(), java.time.Instant.now());
    janitor.scheduleWithFixedDelay(() -> {
      if (drain.present()) http.drain();
    }, DRAIN_POLL_MILLIS, DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
    return new ShardWorker(plan, runner, role, http, janitor, tls);
  }

  /**
   * The head's tokenizer, through the hash-checked directory like every other file: the plan's
   * {@code manifestSha256} pins the manifest, the manifest pins the tokenizer's files.
   */
  private static PromptText promptText(Path modelDir) throws ModelException {
    ModelDirectory directory = ModelDirectory.open(modelDir);
    return directory.manifest().tokenizer() == null ? PromptText.NONE : PromptText.of(directory.tokenizer());
  }

  public ShardRole role() {
    return role;
  }

  /** The gRPC port a relay listens on; empty on the head, which runs no gRPC server. */
  public Optional<Integer> grpcPort() {
    return role instanceof ShardRole.Relay relay ? Optional.of(relay.grpc().getPort()) : Optional.empty();
  }

  public int httpPort() {
    return http.port();
  }

  public ShardPlan plan() {
    return plan;
  }

  /** Blocks until the worker is closed. */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  /**
   * The stop a pod asks for: its preStop hook has drained it, and now it is signalled. The head's
   * requests in flight are answered, and a relay serves their steps until the head closes its link,
   * each within {@code grace}; then the worker closes.
   */
  public void stopGracefully(Duration grace) {
    http.drain();
    try {
      if (role instanceof ShardRole.Head) http.awaitNoRequests(grace);
      role.finishInFlight(grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    close();
  }

  /** Stops at once: requests in flight fail. Once only: a stop signalled twice closes the runtime once. */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) return;
    http.close();
    role.close();
    janitor.shutdownNow();
    tls.close();
    runner.close();
    closed.countDown();
  }
}
