package io.dilemma.worker.model.core;

import io.dilemma.commandline.BadInput;
/**
 * A problem with a model directory or file that the user can fix. The message is one line naming
 * the file and the problem, so a CLI can print it as is: a line break that comes from the file
 * itself (a name in a manifest, a parser's excerpt) is shown as {@code \n}.
 */
public class ModelException extends Exception implements BadInput {
  public ModelException(String message) {
    super(oneLine(message));
  }

  public ModelException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  private static String oneLine(String message) {
    return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
  }
}
