package io.dilemma.worker.serving.plan;

/** A shard plan or model source the worker cannot serve; the message is one line for the user. */
public final class PlanException extends Exception {
  public PlanException(String message) {
    super(message);
  }
}
