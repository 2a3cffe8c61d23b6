package io.dilemma.operator.observe;

import io.dilemma.api.EdgeLinkSpec;
import java.util.Optional;
import java.util.Set;

/** Why the planner cannot use an EdgeLink; reported on the EdgeLink's status. Pure. */
public final class EdgeLinkProblems {
  private EdgeLinkProblems() {}

  /** @param nodes names of the cluster's nodes */
  public static Optional<String> of(EdgeLinkSpec spec, Set<String> nodes) {
    if (spec == null) return Optional.of("spec: missing");
    // the schema refuses empty names but lets an explicit null through
    if (spec.from() == null || spec.from().isBlank()) return Optional.of("spec.from: " + (spec.from() == null ? "missing" : "is empty"));
    if (spec.to() == null || spec.to().isBlank()) return Optional.of("spec.to: " + (spec.to() == null ? "missing" : "is empty"));
    if (spec.from() != null && spec.from().equals(spec.to())) {
      return Optional.of("spec.to: equals spec.from '" + spec.from() + "'; a node needs no link to itself");
    }
    StringBuilder missing = new StringBuilder();
    if (!nodes.contains(spec.from())) missing.append("spec.from: no node '").append(spec.from()).append("'");
    if (!nodes.contains(spec.to())) {
      if (missing.length() > 0) missing.append("; ");
      missing.append("spec.to: no node '").append(spec.to()).append("'");
    }
    return missing.length() == 0 ? Optional.empty() : Optional.of(missing.toString());
  }
}
