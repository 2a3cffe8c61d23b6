package io.dilemma.operator.plan;

import io.dilemma.api.LLMDeploymentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks the CRD schema cannot express (on a 1.20 API server, without CEL): each problem is one
 * line naming the field.
 */
public final class SpecValidation {
  private SpecValidation() {}

  public static List<String> problems(LLMDeploymentSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) return List.of("spec: missing");
    if (spec.unreadable() != null) return List.of(spec.unreadable());
    if (spec.model() == null) problems.add("spec.model: missing");
    else {
      var source = spec.model().source();
      if (source == null || (source.url() == null) == (source.persistentVolumeClaim() == null)) {
        problems.add("spec.model.source: set exactly one of url or persistentVolumeClaim");
      }
      if (spec.model().profile() == null) problems.add("spec.model.profile: missing");
    }
    if (spec.workload() == null) problems.add("spec.workload: missing");
    if (spec.quality() == null) problems.add("spec.quality: missing");
    if (spec.placement() == null || spec.placement().originNode() == null) {
      problems.add("spec.placement.originNode: missing");
    }
    for (Integer bits : spec.allowedBits()) {
      if (!LLMDeploymentSpec.SUPPORTED_BITS.contains(bits)) {
        problems.add(
            "spec.allowedBits: " + bits + " is not one of " + LLMDeploymentSpec.SUPPORTED_BITS);
      }
    }
    for (Double rho : spec.allowedRho()) {
      if (rho == null || rho < 0 || rho > 1) {
        problems.add("spec.allowedRho: " + rho + " is outside [0, 1]");
      }
    }
    return problems;
  }
}
