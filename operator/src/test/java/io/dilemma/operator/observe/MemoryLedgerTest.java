package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Optimistic planning on the ledger: solves overlap, memory is never promised twice. */
class MemoryLedgerTest {
  static final long GIB = 1L << 30;

  /** Records with room to spare, for tests about who holds what rather than about fitting. */
  static void hold(MemoryLedger ledger, String key, Map<String, Long> byNode) {
    Map<String, Long> unlimited = new java.util.HashMap<>();
    byNode.keySet().forEach(n -> unlimited.put(n, Long.MAX_VALUE / 4));
    assertThat(ledger.record(key, byNode, unlimited, Map.of())).isTrue();
  }

  @Test
  void aPlanMadeOnHoldingsThatMovedIsRefusedWhenItNoLongerFits() {
    MemoryLedger ledger = new MemoryLedger();
    Map<String, Long> allocatable = Map.of("n0", 4 * GIB);
    var seenByA = ledger.snapshot("a", Map.of());
    var seenByB = ledger.snapshot("b", Map.of());
    assertThat(seenByA.heldByOthers()).isEmpty();
    assertThat(seenByB.heldByOthers()).isEmpty();

    // Both solved on an empty node and want 3 of its 4 GiB: the first to record wins.
    assertThat(ledger.record("a", Map.of("n0", 3 * GIB), allocatable, Map.of())).isTrue();
    assertThat(ledger.movedSince(seenByB)).isTrue();
    assertThat(ledger.record("b", Map.of("n0", 3 * GIB), allocatable, Map.of())).isFalse();
    assertThat(ledger.heldByOthers("a", Map.of())).isEmpty();

    // Planning again on what a left, b fits.
    var again = ledger.snapshot("b", Map.of());
    assertThat(again.heldByOthers()).containsEntry("n0", 3 * GIB);
    assertThat(ledger.record("b", Map.of("n0", GIB), allocatable, Map.of())).isTrue();
    assertThat(ledger.heldByOthers("c", Map.of())).containsEntry("n0", 4 * GIB);
  }

  @Test
  void aPlanThatStillFitsIsRecordedAlthoughOthersMovedMeanwhile() {
    MemoryLedger ledger = new MemoryLedger();
    Map<String, Long> allocatable = Map.of("n0", 4 * GIB, "n1", 4 * GIB);
    var seenByB = ledger.snapshot("b", Map.of());
    assertThat(ledger.record("a", Map.of("n0", 3 * GIB), allocatable, Map.of())).isTrue();
    assertThat(ledger.movedSince(seenByB)).isTrue();
    assertThat(ledger.record("b", Map.of("n0", GIB, "n1", 4 * GIB), allocatable, Map.of())).isTrue();
  }

  @Test
  void holdingsOfDeploymentsKnownOnlyFromTheirStatusCountAgainstTheNode() {
    MemoryLedger ledger = new MemoryLedger();
    Map<String, Map<String, Long>> persisted = Map.of("old", Map.of("n0", 3 * GIB));
    assertThat(ledger.record("b", Map.of("n0", 2 * GIB), Map.of("n0", 4 * GIB), persisted)).isFalse();
    assertThat(ledger.record("b", Map.of("n0", GIB), Map.of("n0", 4 * GIB), persisted)).isTrue();
  }

  @Test
  void givingMemoryBackIsRecordedEvenWhereTheNodeShrankBelowWhatIsHeld() {
    MemoryLedger ledger = new MemoryLedger();
    hold(ledger, "other", Map.of("n0", 3 * GIB));
    hold(ledger, "me", Map.of("n0", 2 * GIB));
    // The node now offers 2 GiB in all: already oversubscribed by nobody's fault.
    assertThat(ledger.record("me", Map.of("n0", GIB), Map.of("n0", 2 * GIB), Map.of())).isTrue();
    assertThat(ledger.record("me", Map.of("n0", GIB), Map.of("n0", 2 * GIB), Map.of())).isTrue();
    assertThat(ledger.record("me", Map.of("n0", GIB + 1), Map.of("n0", 2 * GIB), Map.of())).isFalse();
  }

  @Test
  void aReleaseMovesTheHoldings() {
    MemoryLedger ledger = new MemoryLedger();
    hold(ledger, "a", Map.of("n0", GIB));
    var seen = ledger.snapshot("b", Map.of());
    ledger.release("nobody");
    assertThat(ledger.movedSince(seen)).isFalse();
    ledger.release("a");
    assertThat(ledger.movedSince(seen)).isTrue();
  }

  /**
   * Many planners at once, 16 per node, each wanting 5 GiB of a 64 GiB node, with a pause between
   * reading the holdings and recording that stands for the solve. A planner whose snapshot shows
   * too little room gives up, as an infeasible plan would. Exactly 12 per node end up holding
   * memory, never more than the node has. Recording without the check oversubscribes (tried).
   */
  @Test
  void concurrentPlannersNeverOversubscribeANode() throws Exception {
    MemoryLedger ledger = new MemoryLedger();
    long allocatable = 64 * GIB;
    long want = 5 * GIB;
    Map<String, Long> nodes = Map.of("n0", allocatable, "n1", allocatable);
    int planners = 32;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong conflicts = new AtomicLong();
    Map<String, Map<String, Long>> recorded = new ConcurrentHashMap<>();
    List<Future<?>> done = new ArrayList<>();
    for (int p = 0; p < planners; p++) {
      String key = "d" + p;
      String node = "n" + (p % 2);
      done.add(pool.submit(() -> {
        start.await();
        while (true) {
          var seen = ledger.snapshot(key, Map.of());
          if (allocatable - seen.heldByOthers().getOrDefault(node, 0L) < want) return null;
          Thread.sleep(1);
          if (ledger.record(key, Map.of(node, want), nodes, Map.of())) {
            recorded.put(key, Map.of(node, want));
            return null;
          }
          conflicts.incrementAndGet();
        }
      }));
    }
    start.countDown();
    for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    pool.shutdown();

    for (String node : nodes.keySet()) {
      long promised = recorded.values().stream().mapToLong(m -> m.getOrDefault(node, 0L)).sum();
      assertThat(promised).as("bytes promised on " + node).isEqualTo(12 * want);
      assertThat(ledger.heldByOthers("nobody", Map.of()).get(node)).isEqualTo(promised);
    }
    assertThat(conflicts.get()).as("planners that had to plan again").isPositive();
  }
}
