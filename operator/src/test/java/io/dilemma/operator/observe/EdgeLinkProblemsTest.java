package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.EdgeLinkSpec;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EdgeLinkProblemsTest {
  private static final Set<String> NODES = Set.of("a", "b");

  @Test
  void aLinkBetweenTwoKnownNodesIsFine() {
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec("a", "b", 100, 2), NODES)).isEmpty();
  }

  @Test
  void aSelfLinkIsReported() {
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec("a", "a", 100, 2), NODES))
        .contains("spec.to: equals spec.from 'a'; a node needs no link to itself");
  }

  @Test
  void unknownNodesAreNamed() {
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec("a", "ghost", 100, 2), NODES)).contains("spec.to: no node 'ghost'");
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec("x", "y", 100, 2), NODES))
        .contains("spec.from: no node 'x'; spec.to: no node 'y'");
  }

  /** The schema refuses "" but lets an explicit null through; Set.contains(null) used to throw. */
  @Test
  void aMissingOrEmptyNodeNameIsNamed() {
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec(null, "b", 100, 2), NODES)).contains("spec.from: missing");
    assertThat(EdgeLinkProblems.of(new EdgeLinkSpec("a", "", 100, 2), NODES)).contains("spec.to: is empty");
  }
}
