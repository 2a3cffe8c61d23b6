package io.dilemma.planinput;

import io.dilemma.commandline.BadInput;

/**
 * Bad user input, with the file (if known) and the field path, so the CLI can print one line that
 * says exactly what to fix.
 */
public final class InvalidInputException extends RuntimeException implements BadInput {
  private final String source;
  private final String field;
  private final String problem;

  public InvalidInputException(String source, String field, String problem) {
    super(format(source, field, problem));
    this.source = source;
    this.field = field;
    this.problem = problem;
  }

  /**
   * A syntax error, located as {@code line 3, column 7} in the field's place so that an editor can
   * jump there; the problem is the first line of the parser's message (the rest is an excerpt).
   */
  public static InvalidInputException notValid(com.fasterxml.jackson.core.JsonProcessingException e, String format) {
    com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
    String where = at == null || at.getLineNr() < 1 ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage().lines().findFirst().orElse("unreadable");
    return new InvalidInputException(null, where, "not valid " + format + ": " + message);
  }

  /** The same problem, now known to come from {@code file}. */
  public InvalidInputException inFile(String file) {
    return new InvalidInputException(file, field, problem);
  }

  public String field() {
    return field;
  }

  public String problem() {
    return problem;
  }

  public String source() {
    return source;
  }

  /** One line, also when a value quoted from the input holds a line break: it is shown as {@code \n}. */
  private static String format(String source, String field, String problem) {
    StringBuilder s = new StringBuilder();
    if (source != null) s.append(source).append(": ");
    if (field != null && !field.isEmpty()) s.append(field).append(": ");
    return s.append(problem).toString().replace("\r", "\\r").replace("\n", "\\n");
  }
}
