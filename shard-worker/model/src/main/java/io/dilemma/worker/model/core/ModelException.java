package io.dilemma.worker.model.core;

import io.dilemma.commandline.BadInput;
/**
 * A problem with a model directory or file that the user can fix. The message is one line naming
 * the file and the problem, so a CLI can print it as is.
 */
public class ModelException extends Exception implements BadInput {
  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
