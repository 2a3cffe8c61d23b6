package io.dilemma.worker.serving.head;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.contract.ShardPlan.ModelSource;
import io.dilemma.contract.ShardPlan.ServingLimits;
import io.dilemma.worker.model.runtime.LayerSelection;
import io.dilemma.worker.model.runtime.ShardRunner;
import io.dilemma.worker.serving.grpc.v1.StepReply;
import io.dilemma.worker.serving.grpc.v1.StepRequest;
import io.dilemma.worker.serving.it.TinyModel;
import io.dilemma.worker.serving.metrics.ServingMetrics;
import io.dilemma.worker.serving.pipeline.ShardCompute;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real head shard of opt-tiny (layer 0) in this JVM, with scripted shards behind it; opened
 * once per test class that registers it ({@code @RegisterExtension static final HeadFixture}).
 */
final class HeadFixture implements BeforeAllCallback, AfterAllCallback {
  static final int VOCAB = 512;
  ShardRunner runner;
  ShardCompute compute;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    ShardPlan plan =
        new ShardPlan(
            1, "unit", null, "p1", 0, 2, "origin", new ModelSource("opt-tiny", TinyModel.dir().toUri().toString(), null, null),
            0, 0, List.of(32), true, false, "unused:1", null, CutQuantization.none(), true, ServingLimits.defaults());
    runner = ShardRunner.open(TinyModel.dir(), new LayerSelection(0, 0, List.of(32), true, false));
    compute = new ShardCompute(runner, plan, new ServingMetrics("", "unit", 0));
  }

  CompletionEngine engine(Downstream next) {
    return new CompletionEngine("p1", compute, Optional.of(next), VOCAB, new ServingMetrics("", "unit", 0));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (runner != null) runner.close();
  }

  /** Answers each step with the next scripted token, and records what it was asked. */
  static final class ScriptedShards implements Downstream {
    final List<StepRequest> steps = new CopyOnWriteArrayList<>();
    final List<Long> ended = new CopyOnWriteArrayList<>();
    private final long[] tokens;

    ScriptedShards(long... tokens) {
      this.tokens = tokens;
    }

    @Override
    public StepReply forward(StepRequest request) throws ShardFailure {
      steps.add(request);
      return StepReply.newBuilder().setToken((int) tokens[steps.size() - 1]).build();
    }

    @Override
    public void endSession(long sessionId) {
      ended.add(sessionId);
    }

    @Override
    public void checkChain(String planId) {}

    @Override
    public void close() {}
  }
}
