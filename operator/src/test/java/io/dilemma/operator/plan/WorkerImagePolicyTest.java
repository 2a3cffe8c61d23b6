package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerImagePolicyTest {
  @Test
  void anEmptyListAllowsEveryImage() {
    assertThat(WorkerImagePolicy.any().allows("evil.example/miner:latest")).isTrue();
  }

  @Test
  void entriesMatchExactlyOrByPrefixWithAStar() {
    var policy = new WorkerImagePolicy(List.of("ghcr.io/dilemma/shard-worker:*", "registry.local/worker:1.0"));
    assertThat(policy.allows("ghcr.io/dilemma/shard-worker:0.1.0")).isTrue();
    assertThat(policy.allows("registry.local/worker:1.0")).isTrue();
    assertThat(policy.allows("registry.local/worker:1.0-evil")).isFalse();
    assertThat(policy.allows("ghcr.io/dilemma/shard-worker-evil:0.1.0")).isFalse();
    assertThat(policy.problem("evil.example/miner:latest")).get().asString()
        .startsWith("spec.worker.image: 'evil.example/miner:latest' is not in the operator's allowed worker images");
  }
}
