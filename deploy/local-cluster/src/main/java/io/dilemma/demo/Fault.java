package io.dilemma.demo;

/**
 * What the demo does to the running plan's edge, for real, to make the operator plan again. It is
 * undone with the rest of the demo (the namespace deleted, the shaping cleared), or left in place
 * by {@code --keep}.
 */
public interface Fault {
  /** What is done, for the progress line and the report. */
  String describe();

  void inflict() throws Exception;

  /** What the probers publish once they have seen it; null while they have not. */
  String detected() throws Exception;
}
