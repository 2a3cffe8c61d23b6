package io.dilemma.worker.serving.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UnsafeByteOperations;
import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.ShardWorker;
import io.dilemma.worker.serving.frame.ActivationFrameCodec;
import io.dilemma.worker.serving.grpc.v1.StepError;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.transport.ShardTls;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 12 defect 5 on loopback: a shard's gRPC face is bounded by the plan's KV budget and closed to strangers with mTLS. */
class ShardGrpcLimitsIT {
  private static final CompletionClient client = new CompletionClient();
  private static final int PROMPT = 16;

  private static ShardPlan lastShard(ServingLimits limits) throws Exception {
    return new ShardPlan(
        1, "limits", null, "plan-secret-7", 1, 2, "n1",
        new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        1, TinyModel.LAYERS - 1, Collections.nCopies(TinyModel.LAYERS - 1, 32),
        false, true, null, null, null, false, limits);
  }

  private static ShardPlan head(String next) throws Exception {
    return new ShardPlan(
        1, "limits", null, "plan-secret-7", 0, 2, "n0",
        new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        0, 0, List.of(32), true, false, next, null, CutQuantization.none(), true, ServingLimits.defaults());
  }

  private static StepRequest prefill(long sessionId) {
    float[] hidden = new float[PROMPT * TinyModel.HIDDEN];
    SplittableRandom random = new SplittableRandom(sessionId);
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) random.nextGaussian();
    }
    boolean[] high = new boolean[PROMPT];
    Arrays.fill(high, true);
    byte[] frame = ActivationFrameCodec.encode(hidden, TinyModel.HIDDEN, high, CutQuantization.none());
    return StepRequest.newBuilder()
        .setPlanId("plan-secret-7")
        .setSessionId(sessionId)
        .setStartPosition(0)
        .setActivations(UnsafeByteOperations.unsafeWrap(frame))
        .build();
  }

  /** What {@code ShardCompute.stepWorkingBytes} charges a prefill of {@value #PROMPT} tokens on the last shard. */
  private static long prefillBytes() {
    long d = TinyModel.HIDDEN;
    return 3L * PROMPT * d * 4 + PROMPT * (TinyModel.LAYERS - 1) * 2 * d * 4;
  }

  @Test
  void stepsBeyondTheKvBudgetAreRefusedWithResourceExhaustedAndTheShardKeepsServing() throws Exception {
    ServingLimits limits = new ServingLimits(3 * prefillBytes(), 60, 5000);
    try (ShardWorker shard = ShardWorker.start(lastShard(limits), TinyModel.dir(), ServingTestListeners.relay())) {
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + shard.grpcPort().orElseThrow(), InsecureChannelCredentials.create()).build();
      try (StepClient steps = new StepClient(channel)) {
        List<StepRequest> flood = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
          flood.add(prefill(i));
        }
        List<StepReply> replies = steps.sendAll(flood);
        long refused = replies.stream().filter(r -> r.getError().getKind() == StepError.Kind.OVERLOADED).count();
        long served = replies.stream().filter(r -> !r.hasError()).count();
        assertThat(refused).as("steps refused of 60").isPositive();
        assertThat(served).as("steps served of 60").isPositive();
        assertThat(refused + served).isEqualTo(60);
        String message = replies.stream().filter(StepReply::hasError).findFirst().orElseThrow().getError().getMessage();
        assertThat(message).contains("RESOURCE_EXHAUSTED").contains("of " + limits.kvCacheBytes() + " bytes");

        // the flood's sessions never step again: once idle (2 s) their KV cache goes to a new one
        Thread.sleep(2500);
        StepReply after = steps.send(prefill(1000));
        assertThat(after.hasError()).as(after.getError().getMessage()).isFalse();
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void errorsDoNotEchoThePlanTheShardServes() throws Exception {
    try (ShardWorker shard = ShardWorker.start(lastShard(ServingLimits.defaults()), TinyModel.dir(), ServingTestListeners.relay())) {
      ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + shard.grpcPort().orElseThrow(), InsecureChannelCredentials.create()).build();
      try (StepClient steps = new StepClient(channel)) {
        StepReply reply = steps.send(prefill(5).toBuilder().setPlanId("guess").build());
        assertThat(reply.getError().getKind()).isEqualTo(StepError.Kind.REJECTED);
        assertThat(reply.getError().getMessage()).contains("\"guess\"").doesNotContain("plan-secret-7");
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void withMutualTlsTheChainServesAndStrangersAreRefused() throws Exception {
    Path dir = Path.of("target", "mtls-" + System.nanoTime()).toAbsolutePath();
    TestCertificates deployment = new TestCertificates("dilemma-test-deployment");
    ShardTls headTls = ShardTls.fromDirectory(deployment.writeShard(dir.resolve("head"), "shard-0"), ShardTls.DEFAULT_RELOAD);
    ShardTls lastTls = ShardTls.fromDirectory(deployment.writeShard(dir.resolve("last"), "shard-1"), ShardTls.DEFAULT_RELOAD);
    Path stranger = new TestCertificates("someone-else").writeShard(dir.resolve("stranger"), "intruder");
    long[] prompt = TinyModel.prompt(31, 7);
    try (ShardWorker last = ShardWorker.start(lastShard(ServingLimits.defaults()), TinyModel.dir(), ServingTestListeners.relay(), lastTls);
        ShardWorker first = ShardWorker.start(head("127.0.0.1:" + last.grpcPort().orElseThrow()), TinyModel.dir(), ServingTestListeners.loopback(), headTls)) {
      var reply = client.complete(java.net.URI.create("http://127.0.0.1:" + first.httpPort() + "/v1/completions"), prompt, 6);
      assertThat(reply.status()).as(reply.body().toString()).isEqualTo(200);
      assertThat(reply.tokens()).containsExactly(TinyModel.reference(prompt, 6));

      String target = "127.0.0.1:" + last.grpcPort().orElseThrow();
      assertRefused(target, InsecureChannelCredentials.create());
      // the server's certificate is trusted but this client shows none
      assertRefused(target, TlsChannelCredentials.newBuilder().trustManager(dir.resolve("last").resolve(ShardTls.TRUSTED_CA).toFile()).build());
      // a client certificate from another CA
      assertRefused(
          target,
          TlsChannelCredentials.newBuilder()
              .keyManager(stranger.resolve(ShardTls.CERTIFICATE).toFile(), stranger.resolve(ShardTls.PRIVATE_KEY).toFile())
              .trustManager(dir.resolve("last").resolve(ShardTls.TRUSTED_CA).toFile())
              .build());
    }
  }

  @Test
  void aTlsDirectoryWithoutItsKeyIsRefusedNamingTheFile() throws Exception {
    Path dir = new TestCertificates("ca").writeShard(Path.of("target", "mtls-nokey-" + System.nanoTime()).toAbsolutePath(), "s");
    java.nio.file.Files.delete(dir.resolve(ShardTls.PRIVATE_KEY));
    assertThatThrownBy(() -> ShardTls.fromDirectory(dir, ShardTls.DEFAULT_RELOAD))
        .isInstanceOf(ShardTls.TlsConfigException.class)
        .hasMessageContaining(dir.resolve(ShardTls.PRIVATE_KEY).toString())
        .hasMessageContaining("no such readable file");
  }

  private static void assertRefused(String target, ChannelCredentials credentials) throws Exception {
    ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).build();
    try (StepClient steps = new StepClient(channel)) {
      assertThatThrownBy(() -> steps.send(prefill(77)))
          .cause()
          .isInstanceOfSatisfying(
              io.grpc.StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE));
    } finally {
      channel.shutdownNow();
    }
  }
}
