package io.dilemma.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlansFoundAtStartTest {
  private final List<String> listed = new ArrayList<>();
  private final PlansFoundAtStart found = new PlansFoundAtStart(namespace -> {
    listed.add(namespace);
    return Map.of("llm-a", Set.of("p1", "p2"), "llm-b", Set.of("p3"));
  });

  @Test
  void aNamespaceIsListedOnceWhateverTheNumberOfDeploymentsInIt() {
    assertThat(found.take("fleet", "llm-a")).containsExactlyInAnyOrder("p1", "p2");
    assertThat(found.take("fleet", "llm-b")).containsExactly("p3");
    assertThat(found.take("fleet", "llm-c")).isEmpty();
    assertThat(found.take("other", "llm-a")).containsExactlyInAnyOrder("p1", "p2");
    assertThat(listed).containsExactly("fleet", "other");
  }

  @Test
  void eachDeploymentIsHandedWhatWasFoundOnlyOnce() {
    assertThat(found.take("fleet", "llm-a")).isNotEmpty();
    assertThat(found.take("fleet", "llm-a")).isEmpty();
  }

  @Test
  void aDeletedDeploymentsFindingsAreDroppedWithoutListing() {
    found.forget("fleet", "llm-a");
    assertThat(listed).isEmpty();
    found.take("fleet", "llm-b");
    found.forget("fleet", "llm-a");
    assertThat(found.take("fleet", "llm-a")).isEmpty();
  }
}
