package io.dilemma.worker.model.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the bytes of generated tokens into text a user can be shown. Byte-level BPE tokens are
 * arbitrary byte strings: one character may span tokens, and a model may emit bytes that are not
 * UTF-8 at all. An incomplete sequence at the end is held back until the next token completes it;
 * invalid sequences, U+FFFD and control characters other than tab and newline are dropped, never
 * shown as replacement characters.
 */
public final class TextAssembler {
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  /** Bytes of an incomplete sequence (at most 3) waiting for the next token. */
  private ByteBuffer held = ByteBuffer.allocate(0);

  /** The text completed by {@code bytes}, without what is still incomplete. */
  public String append(byte[] bytes) {
    ByteBuffer in = ByteBuffer.allocate(held.remaining() + bytes.length);
    in.put(held).put(bytes).flip();
    String text = decode(in, false);
    held = in.slice();
    return text;
  }

  /** Ends the text: an incomplete sequence still held is dropped. */
  public String finish() {
    String text = decode(held, true);
    held = ByteBuffer.allocate(0);
    return text;
  }

  private String decode(ByteBuffer in, boolean endOfInput) {
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    StringBuilder text = new StringBuilder();
    decoder.reset();
    while (true) {
      CoderResult result = decoder.decode(in, out, endOfInput);
      if (result.isMalformed() || result.isUnmappable()) {
        in.position(in.position() + result.length());
        continue;
      }
      if (result.isOverflow()) {
        flushPrintable(out, text);
        continue;
      }
      break;
    }
    flushPrintable(out, text);
    return text.toString();
  }

  private static void flushPrintable(CharBuffer out, StringBuilder text) {
    out.flip();
    while (out.hasRemaining()) {
      char c = out.get();
      if (shown(c)) {
        text.append(c);
      }
    }
    out.clear();
  }

  private static boolean shown(char c) {
    if (c == '\n' || c == '\t') {
      return true;
    }
    return c != '\uFFFD' && Character.getType(c) != Character.CONTROL;
  }
}
