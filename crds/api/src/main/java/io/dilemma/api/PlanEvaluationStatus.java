package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The operator's last look for a better plan while one runs: what the running plan predicts on the
 * figures of that moment, the best plan the search found, and whether that cleared the replan
 * policy's threshold. It answers "why did my plan not move back?" when the answer is hysteresis.
 *
 * @param time when the search ran (RFC 3339)
 * @param runningSeconds the running plan's predicted completion time on the figures of that moment
 * @param bestFoundSeconds the best plan's predicted completion time; absent when none fit
 * @param minRelativeImprovement how much faster a plan had to be to replace the running one
 * @param decision one of {@link #DECISIONS}
 * @param message the same in one sentence
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanEvaluationStatus(
    @JsonPropertyDescription("When the operator last looked for a better plan (RFC 3339).") String time,
    @JsonPropertyDescription("The running plan's predicted completion time, s, on the figures of that moment.")
        Double runningSeconds,
    @JsonPropertyDescription("The best plan found's predicted completion time, s; absent when no plan fit.")
        Double bestFoundSeconds,
    @JsonPropertyDescription("How much faster (a fraction) a plan had to be to replace the running one.")
        Double minRelativeImprovement,
    @JsonPropertyDescription(
            "Kept (no plan found was faster by the policy's minimum, so the running plan stays) or"
                + " Replanned (the best plan found replaced it).")
        String decision,
    @JsonPropertyDescription("The decision and its figures in one sentence.") String message) {

  /** The values of {@code decision}; the operator's {@code EvaluationDecision} enum must match. */
  public static final List<String> DECISIONS = List.of("Kept", "Replanned");

  /** The status of a search, its predictions at 4 significant digits; a prediction that is not finite is absent. */
  public static PlanEvaluationStatus of(
      Instant time, double runningSeconds, OptionalDouble bestFoundSeconds, double minRelativeImprovement, String decision, String message) {
    return new PlanEvaluationStatus(
        time.toString(),
        fourDigits(runningSeconds),
        bestFoundSeconds.isPresent() ? fourDigits(bestFoundSeconds.getAsDouble()) : null,
        minRelativeImprovement,
        decision,
        message);
  }

  /** Readable, and the schema's number type has no Infinity or NaN. */
  private static Double fourDigits(double seconds) {
    if (!Double.isFinite(seconds)) return null;
    return new BigDecimal(seconds).round(new MathContext(4)).doubleValue();
  }
}
