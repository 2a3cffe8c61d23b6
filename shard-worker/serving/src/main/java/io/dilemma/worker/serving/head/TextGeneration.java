package io.dilemma.worker.serving.head;

import io.dilemma.worker.serving.pipeline.Sampling;
import io.dilemma.worker.serving.pipeline.ShardFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A completion as text: runs the engine, ends at the model's end-of-text token or at the first stop
 * sequence (which is not part of the text), and hands out text only once no stop sequence can
 * still begin in it.
 */
public final class TextGeneration {
  /** Why the generation ended, in OpenAI's words. */
  public enum FinishReason {
    STOP("stop"),
    LENGTH("length");

    private final String wire;

    FinishReason(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  public record Request(long[] prompt, int maxTokens, Sampling sampling, List<String> stop) {}

  public record Result(String text, long[] tokens, FinishReason finishReason, Completion completion) {}

  /** Receives each token with the text that may be shown after it (often empty while text is held). */
  @FunctionalInterface
  public interface TextSink {
    void onToken(long tokenId, String text) throws IOException;
  }

  private final CompletionEngine engine;
  private final PromptText text;

  public TextGeneration(CompletionEngine engine, PromptText text) {
    this.engine = engine;
    this.text = text;
  }

  public int maxPositions() {
    return engine.maxPositions();
  }

  public Result run(Request request, TextSink sink) throws ShardFailure, IOException {
    PromptText.TextStream stream = text.newStream();
    StringBuilder shown = new StringBuilder();
    StringBuilder held = new StringBuilder();
    boolean[] stopped = {false};
    long endOfText = text.endOfText().orElse(-1);
    Completion completion;
    try {
      completion =
          engine.complete(
              request.prompt(),
              request.maxTokens(),
              request.sampling(),
              token -> {
                if (token == endOfText) {
                  stopped[0] = true;
                  return false;
                }
                held.append(stream.append(token));
                int stopAt = firstStop(held, request.stop());
                String release;
                if (stopAt >= 0) {
                  release = held.substring(0, stopAt);
                  held.setLength(0);
                  stopped[0] = true;
                } else {
                  int keep = longestStopPrefixSuffix(held, request.stop());
                  release = held.substring(0, held.length() - keep);
                  held.delete(0, held.length() - keep);
                }
                shown.append(release);
                emit(sink, token, release);
                return !stopped[0];
              });
    } catch (UncheckedIOException clientGone) {
      throw clientGone.getCause();
    }
    if (!stopped[0]) {
      held.append(stream.finish());
      shown.append(held);
      if (held.length() > 0) {
        sink.onToken(-1, held.toString());
      }
    }
    FinishReason reason = stopped[0] || completion.tokens().length < request.maxTokens() ? FinishReason.STOP : FinishReason.LENGTH;
    return new Result(shown.toString(), completion.tokens(), reason, completion);
  }

  private static void emit(TextSink sink, long token, String release) {
    try {
      sink.onToken(token, release);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the earliest complete stop sequence starts in {@code text}, or -1. */
  static int firstStop(CharSequence text, List<String> stops) {
    int first = -1;
    String s = text.toString();
    for (String stop : stops) {
      int at = s.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) {
        first = at;
      }
    }
    return first;
  }

  /** Length of the longest end of {@code text} that a stop sequence begins with: held back for now. */
  static int longestStopPrefixSuffix(CharSequence text, List<String> stops) {
    int longest = 0;
    for (String stop : stops) {
      for (int length = Math.min(stop.length() - 1, text.length()); length > longest; length--) {
        if (stop.regionMatches(0, text.toString(), text.length() - length, length)) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
