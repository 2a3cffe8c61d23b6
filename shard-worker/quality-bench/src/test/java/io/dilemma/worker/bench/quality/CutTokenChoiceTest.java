package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CutTokenChoiceTest {
  private static int count(boolean[] high) {
    int n = 0;
    for (boolean h : high) {
      n += h ? 1 : 0;
    }
    return n;
  }

  @Test
  void everyChoiceMarksExactlyTheRequestedNumberOfTokens() {
    float[] received = {4, 1, 3, 2, 0.5f, 0.1f};
    for (CutTokenChoice choice : CutTokenChoice.values()) {
      for (int k = 0; k <= received.length; k++) {
        assertThat(count(choice.choose(received, k, new SplittableRandom(3)))).as(choice + " " + k).isEqualTo(k);
      }
    }
  }

  @Test
  void attentionTakesTheMostAttendedAndPerQueryCorrectsForCausality() {
    // Token 0 is seen by 4 queries, token 3 by one: 2.0 / 4 < 0.9 / 1.
    float[] received = {2.0f, 0.6f, 0.5f, 0.9f};
    assertThat(CutTokenChoice.ATTENTION.choose(received, 1, null)).containsExactly(true, false, false, false);
    assertThat(CutTokenChoice.ATTENTION_PER_QUERY.choose(received, 1, null)).containsExactly(false, false, false, true);
    assertThat(CutTokenChoice.FIRST.choose(received, 2, null)).containsExactly(true, true, false, false);
  }

  @Test
  void randomIsSeededAndSpreadsOverTheChunk() {
    float[] received = new float[64];
    boolean[] a = CutTokenChoice.RANDOM.choose(received, 16, new SplittableRandom(7));
    boolean[] b = CutTokenChoice.RANDOM.choose(received, 16, new SplittableRandom(7));
    assertThat(a).isEqualTo(b);
    int late = 0;
    for (int t = 32; t < 64; t++) {
      late += a[t] ? 1 : 0;
    }
    assertThat(late).isBetween(2, 14);
  }

  @Test
  void roundTripKeepsHighTokensCloserThanLowOnes() {
    int width = 8;
    float[] hidden = new float[2 * width];
    for (int i = 0; i < hidden.length; i++) {
      hidden[i] = (float) Math.sin(i * 0.7);
    }
    float[] restored = CutTokenChoice.roundTrip(hidden, width, new boolean[] {true, false});
    double high = 0;
    double low = 0;
    for (int i = 0; i < width; i++) {
      high += Math.abs(hidden[i] - restored[i]);
      low += Math.abs(hidden[width + i] - restored[width + i]);
    }
    assertThat(high).isLessThan(low);
  }
}
