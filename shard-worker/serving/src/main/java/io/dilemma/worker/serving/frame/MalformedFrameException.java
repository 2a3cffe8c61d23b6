package io.dilemma.worker.serving.frame;

/** An activation frame that cannot be decoded; the message names the first problem found. */
public final class MalformedFrameException extends Exception {
  public MalformedFrameException(String message) {
    super(message);
  }
}
