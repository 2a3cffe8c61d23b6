package io.dilemma.worker.serving.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dilemma.contract.ShardPlan;
import io.dilemma.contract.ShardPlan.CutQuantization;
import io.dilemma.worker.serving.plan.LocalShardPlans.LayerRange;
import io.dilemma.worker.serving.plan.LocalShardPlans.Ports;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalShardPlansTest {
  @Test
  void rangesFollowEachOtherAndCoverTheModel() {
    assertThat(LocalShardPlans.parseLayers("0-1, 2,3-5", 6))
        .containsExactly(new LayerRange(0, 1), new LayerRange(2, 2), new LayerRange(3, 5));
  }

  @Test
  void aGapOverlapOrShortfallIsRefusedNamingTheProblem() {
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("0-1,3", 4)).hasMessageContaining("shard 1 starts at layer 3, expected 2");
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("0-2,2-3", 4)).hasMessageContaining("expected 3");
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("0-1", 4)).hasMessage("--layers: covers layers 0-1 but the model has layers 0-3");
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("0-5", 4)).hasMessageContaining("past the model's last layer 3");
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("0-x", 4)).hasMessage("--layers: '0-x' is not a layer or a range like 0-3");
    assertThatThrownBy(() -> LocalShardPlans.parseLayers("3-1", 4)).hasMessageContaining("'3-1' is not a layer or a range");
  }

  @Test
  void plansChainTheShardsOnConsecutivePortsAndPassTheWorkersCheck() {
    List<ShardPlan> plans =
        LocalShardPlans.build(
            "demo",
            "file:///models/opt-tiny/",
            List.of(new LayerRange(0, 1), new LayerRange(2, 2), new LayerRange(3, 3)),
            List.of(16, 8, 8, 4),
            new CutQuantization(0.25, 8, 4),
            true,
            new Ports("127.0.0.1", 50051, 8080));

    assertThat(plans).hasSize(3);
    assertThat(plans).extracting(ShardPlan::planId).containsOnly(plans.get(0).planId());
    assertThat(plans).allSatisfy(plan -> assertThat(ShardPlanFile.problem(plan)).isNull());
    ShardPlan head = plans.get(0);
    assertThat(head.head()).isTrue();
    assertThat(head.layerBits()).containsExactly(16, 8);
    assertThat(head.nextShard()).isEqualTo("127.0.0.1:50051");
    assertThat(plans.get(1).nextShard()).isEqualTo("127.0.0.1:50052");
    assertThat(plans.get(2).lmHead()).isTrue();
    assertThat(plans.get(2).nextShard()).isNull();
    assertThat(plans.get(2).outgoingCut()).isNull();
    assertThat(plans.get(2).layerBits()).containsExactly(4);
    assertThat(new Ports("127.0.0.1", 50051, 8080).http(2)).isEqualTo(8082);
  }
}
