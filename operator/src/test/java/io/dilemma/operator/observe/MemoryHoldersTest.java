package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An infeasible plan names the deployments holding memory on its nodes (issue 12, defect 10). */
class MemoryHoldersTest {
  @Test
  void theOtherDeploymentsOnTheEligibleNodesAreNamed() {
    MemoryLedger ledger = new MemoryLedger();
    MemoryLedgerTest.hold(ledger, "llm/a", Map.of("n0", 1L << 30, "n1", 3L << 19));
    MemoryLedgerTest.hold(ledger, "llm/me", Map.of("n0", 5L));
    var holders = ledger.holdersByNode("llm/me", Map.of("llm/b", Map.of("n0", 512L << 20, "far", 7L)));
    assertThat(MemoryLedger.holdersNote(holders, Set.of("n0", "n1")))
        .isEqualTo(" Memory held by other deployments: n0: llm/a (1024.0 MiB), llm/b (512.0 MiB); n1: llm/a (1.5 MiB).");
  }

  @Test
  void nothingIsAddedWhenNoOtherDeploymentHoldsMemoryThere() {
    MemoryLedger ledger = new MemoryLedger();
    MemoryLedgerTest.hold(ledger, "llm/me", Map.of("n0", 5L));
    assertThat(MemoryLedger.holdersNote(ledger.holdersByNode("llm/me", Map.of()), Set.of("n0"))).isEmpty();
  }
}
