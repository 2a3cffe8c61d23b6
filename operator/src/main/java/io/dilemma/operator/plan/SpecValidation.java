package io.dilemma.operator.plan;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ModelProfile;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks the CRD schema cannot express (on a 1.20 API server, without CEL): each problem is one
 * line naming the field.
 */
public final class SpecValidation {
  /** A label value, and a Service name, hold at most this many characters. */
  static final int MAX_LABEL_VALUE = io.dilemma.operator.rollout.ShardNames.MAX_LABEL_VALUE;
  /** The Service names of a deployment are DNS-1035 labels built from its name. */
  private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  private SpecValidation() {}

  /**
   * Everything {@link #problems(LLMDeploymentSpec)} finds, plus what the deployment's name must
   * be for the objects the operator creates from it: the API server would refuse those objects
   * only at rollout.
   */
  public static List<String> problems(String name, LLMDeploymentSpec spec) {
    List<String> problems = new ArrayList<>(nameProblems(name));
    problems.addAll(problems(spec));
    return problems;
  }

  /** The name goes into a label value and, as a prefix, into DNS-1035 Service names. */
  static List<String> nameProblems(String name) {
    List<String> problems = new ArrayList<>();
    if (name.length() > MAX_LABEL_VALUE) {
      problems.add(
          "metadata.name: " + name.length() + " characters; at most " + MAX_LABEL_VALUE
              + " fit the dilemma.io/deployment label");
    }
    if (!DNS_1035.matcher(name).matches()) {
      problems.add(
          "metadata.name: '" + name + "' is not a DNS-1035 label (lower-case letters, digits and"
              + " '-', starting with a letter, no '.'), which its Services' names must be");
    }
    return problems;
  }

  /** What needs the profile: the workload must fit the model's context. */
  public static List<String> againstProfile(LLMDeploymentSpec spec, ModelProfile profile) {
    if (profile.architecture() == null || spec.workload() == null) return List.of();
    int maxPositions = profile.architecture().maxPositions();
    long tokens = (long) spec.workload().promptTokens() + spec.workload().outputTokens();
    if (maxPositions > 0 && tokens > maxPositions) {
      return List.of(
          "spec.workload: promptTokens + outputTokens = " + tokens + " exceeds the model's"
              + " maxPositions " + maxPositions + " (profile architecture.maxPositions)");
    }
    return List.of();
  }

  public static List<String> problems(LLMDeploymentSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) return List.of("spec: missing");
    if (spec.unreadable() != null) return List.of(spec.unreadable());
    if (spec.model() == null) problems.add("spec.model: missing");
    else {
      requireText("spec.model.name", spec.model().name(), problems);
      var source = spec.model().source();
      if (source == null || (source.url() == null) == (source.persistentVolumeClaim() == null)) {
        problems.add("spec.model.source: set exactly one of url or persistentVolumeClaim");
      }
      if (spec.model().profile() == null) problems.add("spec.model.profile: missing");
      else {
        requireText("spec.model.profile.name", spec.model().profile().name(), problems);
        requireText("spec.model.profile.key", spec.model().profile().key(), problems);
      }
      if (source != null) problems.addAll(sourceProblems(source));
    }
    if (spec.workload() == null) problems.add("spec.workload: missing");
    if (spec.quality() == null) problems.add("spec.quality: missing");
    requireText("spec.placement.originNode", spec.placement() == null ? null : spec.placement().originNode(), problems);
    if (spec.worker() != null) requireText("spec.worker.image", spec.worker().image(), problems);
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
    if (spec.worker() != null) problems.addAll(resourceProblems(spec.worker().resources()));
    if (spec.serving() != null) problems.addAll(chatTemplateProblems(spec.serving().chatTemplate()));
    return problems;
  }

  /**
   * The rules the head applies again when it reads its plan: refused here, a bad template never
   * reaches a pod, which would otherwise fail to start.
   */
  static List<String> chatTemplateProblems(LLMDeploymentSpec.ChatTemplateSpec template) {
    if (template == null) return List.of();
    return template.toShardPlan().problems().stream().map(p -> "spec.serving.chatTemplate." + p).toList();
  }

  /** Plain http lets anyone on the path swap the files; a PVC path must stay inside its volume. */
  static List<String> sourceProblems(LLMDeploymentSpec.ShardSource source) {
    List<String> problems = new ArrayList<>();
    if (source.url() != null
        && source.url().regionMatches(true, 0, "http://", 0, 7)
        && !Boolean.TRUE.equals(source.insecure())) {
      problems.add(
          "spec.model.source.url: plain http is refused; use https, or set"
              + " spec.model.source.insecure: true");
    }
    if (source.url() != null) requireText("spec.model.source.url", source.url(), problems);
    var pvc = source.persistentVolumeClaim();
    if (pvc != null) requireText("spec.model.source.persistentVolumeClaim.claimName", pvc.claimName(), problems);
    if (pvc != null && pvc.path() != null) {
      for (String segment : pvc.path().split("[/\\\\]")) {
        if (segment.equals("..")) {
          problems.add(
              "spec.model.source.persistentVolumeClaim.path: '" + pvc.path() + "' contains '..';"
                  + " the path must stay inside the volume");
          break;
        }
      }
    }
    return problems;
  }

  /**
   * A string that must hold something. The schema refuses {@code ""} for these, but it lets an
   * explicit {@code null} through (on a 1.20 API server a string must be nullable for {@code ""} to
   * get a readable message), and objects stored under an older schema may hold either.
   */
  private static void requireText(String field, String value, List<String> problems) {
    if (value == null) problems.add(field + ": missing");
    else if (value.isBlank()) problems.add(field + ": is empty");
  }

  /** Quantities must parse and be non-negative, and a limit never below its request. */
  static List<String> resourceProblems(ResourceRequirements resources) {
    List<String> problems = new ArrayList<>();
    if (resources == null) return problems;
    Map<String, BigDecimal> requests =
        amounts("spec.worker.resources.requests", resources.getRequests(), problems);
    Map<String, BigDecimal> limits =
        amounts("spec.worker.resources.limits", resources.getLimits(), problems);
    requests.forEach(
        (name, request) -> {
          BigDecimal limit = limits.get(name);
          // The memory request and limit always come from the plan.
          if (limit != null && !name.equals("memory") && limit.compareTo(request) < 0) {
            problems.add(
                "spec.worker.resources.limits." + name + ": " + resources.getLimits().get(name)
                    + " is below the request " + resources.getRequests().get(name));
          }
        });
    return problems;
  }

  private static Map<String, BigDecimal> amounts(
      String field, Map<String, Quantity> quantities, List<String> problems) {
    Map<String, BigDecimal> amounts = new java.util.LinkedHashMap<>();
    if (quantities == null) return amounts;
    quantities.forEach(
        (name, quantity) -> {
          BigDecimal amount = null;
          try {
            if (quantity != null && quantity.getAmount() != null && !quantity.getAmount().isBlank()) {
              amount = Quantity.getAmountInBytes(quantity);
            }
          } catch (RuntimeException e) {
            amount = null;
          }
          if (amount == null) {
            problems.add(field + "." + name + ": '" + describe(quantity) + "' is not a quantity");
          } else if (amount.signum() < 0) {
            problems.add(field + "." + name + ": " + describe(quantity) + " is negative");
          } else {
            amounts.put(name, amount);
          }
        });
    return amounts;
  }

  private static String describe(Quantity quantity) {
    if (quantity == null) return "";
    return quantity.getAmount() + (quantity.getFormat() == null ? "" : quantity.getFormat());
  }
}
