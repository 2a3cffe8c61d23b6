package io.dilemma.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The cost model with b sessions batched per decode step: decode(i,k,b) = max(b·F/G, bytes/W),
 * b tokens over every cut per step, b KV caches; prefill and latencies stay one request's.
 */
class BatchedDecodeCostTest {
  /** One layer on a memory-bound node, all of it on "a", the rest of the chain on "b". */
  private static CostModel costs(int sessions, double flops) {
    PlanningProblem p =
        TinyProblems.builder()
            .node(new ComputeNode("a", flops, 1e9, 1L << 34, Tier.EDGE))
            .node(new ComputeNode("b", flops, 1e9, 1L << 34, Tier.EDGE))
            .link("a", "b", 1e6, 0.002)
            .layers(2)
            .bits(16)
            .workload(16, 8, sessions)
            .build();
    return new CostModel(p);
  }

  @Test
  void aMemoryBoundStepStreamsTheWeightsOnceForEverySession() {
    // 2 MFLOP per token at 1 TFLOP/s is 2 µs; 2 MB of weights at 1 GB/s is 2 ms: memory-bound.
    assertThat(costs(8, 1e12).layerDecodeSeconds(0, 0, 0)).isEqualTo(costs(1, 1e12).layerDecodeSeconds(0, 0, 0));
  }

  @Test
  void aComputeBoundStepTakesBTimesTheFlops() {
    // At 100 MFLOP/s the FLOPs (20 ms per token) outweigh the weight stream (2 ms).
    assertThat(costs(4, 1e8).layerDecodeSeconds(0, 0, 0))
        .isCloseTo(4 * costs(1, 1e8).layerDecodeSeconds(0, 0, 0), within(1e-12));
  }

  @Test
  void eachStepSendsOneTokenOfEverySessionAndEachSessionKeepsItsKvCache() {
    Assignment split = new Assignment(new int[] {0, 1}, new int[] {0, 0}, new int[] {-1, 0});
    Evaluation one = PlanEvaluator.evaluate(costs(1, 1e12), split);
    Evaluation four = PlanEvaluator.evaluate(costs(4, 1e12), split);
    assertThat(four.time().decodeTransferSeconds()).isCloseTo(4 * one.time().decodeTransferSeconds(), within(1e-12));
    assertThat(four.time().prefillTransferSeconds()).isEqualTo(one.time().prefillTransferSeconds());
    assertThat(four.time().decodeLatencySeconds()).isEqualTo(one.time().decodeLatencySeconds());
    assertThat(four.time().prefillComputeSeconds()).isEqualTo(one.time().prefillComputeSeconds());
    assertThat(costs(4, 1e12).layerKvBytes(0)).isEqualTo(4 * costs(1, 1e12).layerKvBytes(0));
  }
}
