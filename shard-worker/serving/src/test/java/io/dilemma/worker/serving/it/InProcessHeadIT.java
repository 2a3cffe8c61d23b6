package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.runtime.KvState;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.serving.ShardWorker;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.frame.DecodedFrame;
import io.dilemma.worker.serving.frame.FrameLimits;
import io.dilemma.worker.serving.grpc.v1.ChainCheckReply;
import io.dilemma.worker.serving.grpc.v1.ChainCheckRequest;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A head in this JVM with the real model, talking to a recording stand-in for shard 1, so the test
 * can look at exactly what leaves the origin.
 */
class InProcessHeadIT {
  private static final CompletionClient client = new CompletionClient();

  /** Records every step and answers with a fixed token, as a last shard would. */
  private static final class RecordingShard extends ShardPipelineGrpc.ShardPipelineImplBase {
    final List<StepRequest> steps = new CopyOnWriteArrayList<>();

    @Override
    public StreamObserver<StepRequest> steps(StreamObserver<StepReply> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(StepRequest request) {
          steps.add(request);
          responses.onNext(
              StepReply.newBuilder()
                  .setSessionId(request.getSessionId())
                  .setStartPosition(request.getStartPosition())
                  .setToken(3)
                  .build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }

    @Override
    public void checkChain(ChainCheckRequest request, StreamObserver<ChainCheckReply> response) {
      response.onNext(ChainCheckReply.newBuilder().addShards(1).build());
      response.onCompleted();
    }
  }

  private static ShardPlan headPlan(int shardCount, int lastLayer, String next, ServingLimits limits) throws Exception {
    boolean alone = shardCount == 1;
    return new ShardPlan(
        1, "privacy", null, "p1", 0, shardCount, "origin",
        new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        0, lastLayer, java.util.Collections.nCopies(lastLayer + 1, 32),
        true, alone, next, null, alone ? null : CutQuantization.none(), true, limits);
  }

  @Test
  void withKeepTokensOnOriginOnlyLayerOutputsLeaveTheHead() throws Exception {
    RecordingShard shard1 = new RecordingShard();
    Server fake = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(shard1).build().start();
    ShardPlan plan = headPlan(2, 0, "127.0.0.1:" + fake.getPort(), ServingLimits.defaults());
    long[] prompt = TinyModel.prompt(21, 10);
    try (ShardWorker head = ShardWorker.start(plan, TinyModel.dir(), ServingTestListeners.loopback())) {
      var reply = client.complete(java.net.URI.create("http://127.0.0.1:" + head.httpPort() + "/v1/completions"), prompt, 3);
      assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
      assertThat(reply.tokens()).containsExactly(3, 3, 3);
    } finally {
      fake.shutdownNow();
    }

    assertThat(shard1.steps).hasSize(3);
    // session_positions is a length (prompt + tokens to generate), which the frame's token count already tells
    Set<String> allowed =
        Set.of("plan_id", "session_id", "start_position", "activations", "sampling", "budget_millis", "session_positions");
    for (StepRequest step : shard1.steps) {
      Set<String> present = step.getAllFields().keySet().stream().map(FieldDescriptor::getName).collect(Collectors.toSet());
      assertThat(allowed).containsAll(present);
      assertThat(step.getUnknownFields().asMap()).isEmpty();
    }

    FrameLimits limits = new FrameLimits(TinyModel.HIDDEN, 256);
    DecodedFrame prefill = ActivationFrameCodec.decode(shard1.steps.get(0).getActivations().toByteArray(), limits);
    DecodedFrame decode = ActivationFrameCodec.decode(shard1.steps.get(1).getActivations().toByteArray(), limits);
    try (ShardRunner origin = ShardRunner.open(TinyModel.dir(), new LayerSelection(0, 0, List.of(32), true, false))) {
      float[] embedded = origin.embed(prompt, 0);
      var layer0 = origin.runLayers(embedded, prompt.length, KvState.empty());
      // what crossed is exactly the output of layer 0, which differs from the embedding output
      assertThat(prefill.hidden()).containsExactly(layer0.hidden());
      assertThat(maxDifference(prefill.hidden(), embedded)).isGreaterThan(1e-3);
      float[] embeddedToken = origin.embed(new long[] {3}, prompt.length);
      var layer0Token = origin.runLayers(embeddedToken, 1, layer0.present());
      assertThat(decode.hidden()).containsExactly(layer0Token.hidden());
      assertThat(maxDifference(decode.hidden(), embeddedToken)).isGreaterThan(1e-3);
    }
  }

  @Test
  void aSessionWhoseKvCacheCannotFitIsRefusedWith503AndCounted() throws Exception {
    ShardPlan plan = headPlan(1, TinyModel.LAYERS - 1, null, new ServingLimits(1, 60, 3000));
    try (ShardWorker alone = ShardWorker.start(plan, TinyModel.dir(), ServingTestListeners.loopback())) {
      String base = "http://127.0.0.1:" + alone.httpPort();
      var reply = client.complete(java.net.URI.create(base + "/v1/completions"), TinyModel.prompt(4, 5), 3);
      assertThat(reply.status()).isEqualTo(503);
      assertThat(reply.body().at("/error/code").asText()).isEqualTo("shard_overloaded");
      assertThat(reply.body().at("/error/message").asText()).contains("shard 0 has no KV cache left for a new session");
      String metrics = client.get(java.net.URI.create(base + "/metrics")).body();
      assertThat(CompletionClient.metric(metrics, "dilemma_sessions_refused_total", "shard=\"0\"")).isEqualTo(1.0);
    }
  }

  private static double maxDifference(float[] a, float[] b) {
    double max = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
