package io.dilemma.worker.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RankCorrelationTest {
  @Test
  void monotoneSeriesCorrelatePerfectlyWhateverTheirScale() {
    assertThat(RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 100, 1000, 1e6})).isCloseTo(1, within(1e-12));
    assertThat(RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1})).isCloseTo(-1, within(1e-12));
  }

  @Test
  void tiesShareTheirMeanRank() {
    assertThat(RankCorrelation.ranks(new double[] {5, 1, 5, 0})).containsExactly(3.5, 2, 3.5, 1);
  }

  @Test
  void aKnownValue() {
    // Ranks x = 1..5, y = 2,1,4,3,5: Σd² = 4, ρ = 1 − 6·4 / (5·24) = 0.8.
    assertThat(RankCorrelation.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {0.2, 0.1, 0.4, 0.3, 0.5})).isCloseTo(0.8, within(1e-12));
  }
}
