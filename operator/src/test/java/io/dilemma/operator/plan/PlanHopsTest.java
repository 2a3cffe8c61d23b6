package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.PlanStatus;
import io.dilemma.operator.plan.PlanHops.Hop;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanHopsTest {
  static PlanStatus chain(String... nodes) {
    List<PlanStatus.ShardStatus> shards = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      shards.add(new PlanStatus.ShardStatus(i, nodes[i], i, i, List.of(8), null, 1, 0, 0.01));
    }
    return new PlanStatus("p", 1L, nodes.length, shards, null, null, 0.0, 1.0, 100.0, Map.of(), null);
  }

  @Test
  void aHeadOnTheOriginSendsShardToShardAndTheTokenBack() {
    assertThat(PlanHops.of(chain("a", "b", "c"), "a"))
        .containsExactly(new Hop("a", "b"), new Hop("b", "c"), new Hop("c", "a"));
  }

  @Test
  void aHeadAwayFromTheOriginAlsoUsesTheEmbeddingHop() {
    assertThat(PlanHops.of(chain("b", "c"), "a"))
        .containsExactly(new Hop("a", "b"), new Hop("b", "c"), new Hop("c", "a"));
  }

  @Test
  void everythingOnTheOriginUsesNoLink() {
    assertThat(PlanHops.of(chain("a"), "a")).isEmpty();
  }

  @Test
  void aLinkUsedTwiceIsListedOnceWhereItIsFirstUsed() {
    assertThat(PlanHops.of(chain("a", "b", "a", "b"), "a"))
        .containsExactly(new Hop("a", "b"), new Hop("b", "a"));
  }
}
