package io.dilemma.operator.observe;

/** One plan's shards as they exist in the cluster. */
public record ShardSet(int expected, int available) {
  public boolean complete() {
    return expected > 0 && available >= expected;
  }
}
