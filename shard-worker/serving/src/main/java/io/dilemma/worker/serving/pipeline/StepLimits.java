package io.dilemma.worker.serving.pipeline;

/**
 * How much step work a shard takes on at once, beyond the byte budget (the plan's KV bytes).
 *
 * @param computeThreads threads that run steps; the model runtime parallelises within a step
 * @param maxStepsPerStream steps one stream (one previous shard) may have unanswered; further
 *     steps wait in HTTP/2 flow control, so one connection cannot take over the shard
 * @param maxStepsInFlight steps the shard accepts in total; past it a step is refused with
 *     RESOURCE_EXHAUSTED
 */
public record StepLimits(int computeThreads, int maxStepsPerStream, int maxStepsInFlight) {
  public StepLimits {
    if (computeThreads < 1 || maxStepsPerStream < 1 || maxStepsInFlight < 1) {
      throw new IllegalArgumentException("step limits must be positive: " + computeThreads + ", " + maxStepsPerStream + ", " + maxStepsInFlight);
    }
  }

  public static StepLimits defaults() {
    return new StepLimits(Math.max(2, Runtime.getRuntime().availableProcessors()), 64, 256);
  }
}
