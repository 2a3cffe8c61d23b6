package io.dilemma.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnreadableSpecFilterTest {
  private final List<String> emitted = new ArrayList<>();
  private final UnreadableSpecFilter filter =
      new UnreadableSpecFilter((d, problem) -> emitted.add(d.getMetadata().getName() + " " + problem));

  private static LLMDeployment deployment(LLMDeploymentSpec spec, String version, boolean deleting) {
    LLMDeployment d = new LLMDeployment();
    var meta = new ObjectMetaBuilder().withName("m").withNamespace("ns").withUid("u1").withResourceVersion(version);
    if (deleting) meta.withDeletionTimestamp("2026-12-01T00:00:00Z");
    d.setMetadata(meta.build());
    d.setSpec(spec);
    return d;
  }

  @Test
  void anUnreadableSpecIsKeptFromTheReconcilerAndReportedOncePerVersion() {
    var spec = LLMDeploymentSpec.unreadable("spec.allowedBits[1]: cannot be read: out of range");
    assertThat(filter.accept(deployment(spec, "1", false))).isFalse();
    assertThat(filter.accept(deployment(spec, "1", false))).isFalse();
    assertThat(emitted).containsExactly("m spec.allowedBits[1]: cannot be read: out of range");
    assertThat(filter.accept(deployment(spec, "2", false))).isFalse();
    assertThat(emitted).hasSize(2);
  }

  @Test
  void readableSpecsAndDeletionsPassWithoutEvents() {
    var readable = new LLMDeploymentSpec(null, null, null, null, null, null, null, null, null);
    assertThat(filter.accept(deployment(readable, "1", false))).isTrue();
    var unreadable = LLMDeploymentSpec.unreadable("spec.x: cannot be read");
    assertThat(filter.accept(deployment(unreadable, "3", true))).as("cleanup must still run").isTrue();
    assertThat(emitted).isEmpty();
  }
}
