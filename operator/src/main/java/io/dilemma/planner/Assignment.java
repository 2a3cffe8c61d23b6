package io.dilemma.planner;

import java.util.Arrays;

/**
 * One candidate answer in {@link CostModel} indices: where each layer runs, at which bits, and the
 * ρ of every cut.
 *
 * @param nodes node index per layer
 * @param bits bit-option index per layer
 * @param cutRho ρ-option index per cut c = -1..N-2 stored at c+1; -1 where both sides share a
 *     node (no cut)
 */
public record Assignment(int[] nodes, int[] bits, int[] cutRho) {
  public Assignment {
    if (nodes.length != bits.length || cutRho.length != nodes.length) {
      throw new IllegalArgumentException("assignment arrays disagree on the layer count");
    }
  }

  public int layerCount() {
    return nodes.length;
  }

  /** Node that sends into cut c: the origin's embedding for c = -1. */
  public int sender(int cut, int origin) {
    return cut < 0 ? origin : nodes[cut];
  }

  public int receiver(int cut) {
    return nodes[cut + 1];
  }

  public int rhoAt(int cut) {
    return cutRho[cut + 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Assignment a
        && Arrays.equals(nodes, a.nodes)
        && Arrays.equals(bits, a.bits)
        && Arrays.equals(cutRho, a.cutRho);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(nodes) + Arrays.hashCode(bits)) + Arrays.hashCode(cutRho);
  }

  @Override
  public String toString() {
    return "Assignment[nodes="
        + Arrays.toString(nodes)
        + ", bits="
        + Arrays.toString(bits)
        + ", cutRho="
        + Arrays.toString(cutRho)
        + "]";
  }
}
