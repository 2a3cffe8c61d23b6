package io.dilemma.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.serving.grpc.v1.ChainCheckRequest;
import io.dilemma.worker.serving.grpc.v1.ShardPipelineGrpc;
import io.dilemma.worker.serving.http.HttpLimits;
import io.dilemma.worker.serving.it.TinyModel;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Roles follow from the plan; a relay serves on whatever gRPC server builder it is given. */
class ShardRoleTest {
  private static ShardPlan plan(int index, boolean head, boolean last) throws Exception {
    return new ShardPlan(
        1, "roles", null, "p1", index, 2, "n", new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
        head ? 0 : 1, head ? 0 : TinyModel.LAYERS - 1, Collections.nCopies(head ? 1 : TinyModel.LAYERS - 1, 32),
        head, last, last ? null : "127.0.0.1:1", null, null, true, ServingLimits.defaults());
  }

  private static ShardWorker.Listeners listeners(Optional<ShardWorker.GrpcServerFactory> grpc) {
    return new ShardWorker.Listeners(new InetSocketAddress("127.0.0.1", 0), grpc, HttpLimits.defaults(), Optional.empty());
  }

  @Test
  void theLastShardIsARelayServingThePipelineOnTheInjectedServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    try (ShardWorker last = ShardWorker.start(plan(1, false, true), TinyModel.dir(), listeners(Optional.of((tls, maxMessageBytes) -> InProcessServerBuilder.forName(name))))) {
      assertThat(last.role()).isInstanceOfSatisfying(ShardRole.Relay.class, relay -> assertThat(relay.next()).isEmpty());
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      try {
        var reply = ShardPipelineGrpc.newBlockingStub(channel).checkChain(ChainCheckRequest.newBuilder().setPlanId("p1").build());
        assertThat(reply.getShardsList()).containsExactly(1);
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void theHeadRunsNoGrpcServer() throws Exception {
    try (ShardWorker head = ShardWorker.start(plan(0, true, false), TinyModel.dir(), listeners(Optional.empty()))) {
      assertThat(head.role()).isInstanceOfSatisfying(ShardRole.Head.class, role -> assertThat(role.next()).isPresent());
      assertThat(head.grpcPort()).isEmpty();
    }
  }
}
