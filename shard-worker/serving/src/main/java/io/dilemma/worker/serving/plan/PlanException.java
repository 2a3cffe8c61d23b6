package io.dilemma.worker.serving.plan;

import io.dilemma.commandline.BadInput;
/** A shard plan or model source the worker cannot serve; the message is one line for the user. */
public final class PlanException extends Exception implements BadInput {
  public PlanException(String message) {
    super(message);
  }
}
