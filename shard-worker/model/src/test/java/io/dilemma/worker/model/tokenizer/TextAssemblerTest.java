package io.dilemma.worker.model.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextAssemblerTest {
  @Test
  void aCharacterSplitAcrossTokensIsHeldUntilItsLastByte() {
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // E2 82 AC
    TextAssembler text = new TextAssembler();
    assertThat(text.append(new byte[] {'a', euro[0]})).isEqualTo("a");
    assertThat(text.append(new byte[] {euro[1]})).isEmpty();
    assertThat(text.append(new byte[] {euro[2], 'b'})).isEqualTo("€b");
    assertThat(text.finish()).isEmpty();
  }

  @Test
  void invalidBytesAndControlCharactersNeverReachTheText() {
    TextAssembler text = new TextAssembler();
    String shown =
        text.append(new byte[] {'x', (byte) 0xFF, (byte) 0xC0, (byte) 0xAF, 0x07, 0x1B, '\n', '\t', (byte) 0xEF, (byte) 0xBF, (byte) 0xBD, 'y'})
            + text.append(new byte[] {(byte) 0xE2, (byte) 0x82}) // never completed
            + text.finish();
    assertThat(shown).isEqualTo("x\n\ty");
  }

  @Test
  void aLeadByteFollowedByANewCharacterDropsOnlyTheBrokenSequence() {
    TextAssembler text = new TextAssembler();
    assertThat(text.append(new byte[] {(byte) 0xE2})).isEmpty();
    assertThat(text.append(new byte[] {'o', 'k'})).isEqualTo("ok");
  }
}
