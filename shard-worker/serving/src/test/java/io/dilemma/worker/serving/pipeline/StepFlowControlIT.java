package io.dilemma.worker.serving.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.transport.ShardGrpcServer;
import io.dilemma.worker.serving.transport.ShardTls;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One previous shard (one stream) cannot have more steps in flight than its per-stream limit, however many it sends. */
class StepFlowControlIT {
  private static final int LAYERS = OptPreset.OPT_TINY.dimensions().layers();
  private static final int HIDDEN = OptPreset.OPT_TINY.dimensions().hiddenSize();

  @Test
  void aFloodOnOneStreamIsHeldToTheStreamsLimitByFlowControl() throws Exception {
    Path model = Files.createTempDirectory(Path.of("target"), "opt-tiny-flow-").toAbsolutePath();
    ModelSynthesis.write(model, "opt-tiny", OptPreset.OPT_TINY.dimensions(), 1, List.of(32), layer -> {});
    ShardPlan plan =
        new ShardPlan(
            1, "flow", null, "p", 1, 2, "n", new ModelSource("opt-tiny", model.toUri().toString(), null, null),
            1, LAYERS - 1, Collections.nCopies(LAYERS - 1, 32), false, true, null, null, null, false,
            new ServingLimits(1L << 30, 60, 10_000));
    try (ShardRunner runner = ShardRunner.open(model, new LayerSelection(1, LAYERS - 1, Collections.nCopies(LAYERS - 1, 32), false, true));
        ShardPipelineService service =
            new ShardPipelineService("p", new ShardCompute(runner, plan, new ServingMetrics("", "flow", 1)), null, new StepLimits(4, 2, 1000))) {
      Server server = ShardGrpcServer.builder(new InetSocketAddress("127.0.0.1", 0), ShardTls.plaintext(), 16 << 20).addService(service).build().start();
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create()).build();
      try {
        int steps = 24;
        CountDownLatch answered = new CountDownLatch(steps);
        AtomicInteger failed = new AtomicInteger();
        StreamObserver<StepRequest> requests =
            ShardPipelineGrpc.newStub(channel).steps(new StreamObserver<>() {
              @Override
              public void onNext(StepReply reply) {
                failed.addAndGet(reply.hasError() ? 1 : 0);
                answered.countDown();
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
        for (int i = 0; i < steps; i++) {
          requests.onNext(prefill(i + 1));
        }
        assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
        requests.onCompleted();
        assertThat(failed.get()).isZero();
        assertThat(service.peakStepsInFlight()).isBetween(1, 2);
      } finally {
        channel.shutdownNow();
        server.shutdownNow();
      }
    }
  }

  private static StepRequest prefill(long sessionId) {
    int tokens = 8;
    float[] hidden = new float[tokens * HIDDEN];
    Arrays.fill(hidden, 0.5f);
    boolean[] high = new boolean[tokens];
    Arrays.fill(high, true);
    return StepRequest.newBuilder()
        .setPlanId("p")
        .setSessionId(sessionId)
        .setActivations(UnsafeByteOperations.unsafeWrap(ActivationFrameCodec.encode(hidden, HIDDEN, high, CutQuantization.none())))
        .build();
  }
}
