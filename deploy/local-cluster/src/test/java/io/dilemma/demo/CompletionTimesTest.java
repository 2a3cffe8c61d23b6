package io.dilemma.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionTimesTest {
  @Test
  void oneTimeIsEveryQuantile() {
    var times = new CompletionTimes(List.of(0.7));
    assertThat(times.median()).isEqualTo(0.7);
    assertThat(times.p90()).isEqualTo(0.7);
  }

  @Test
  void anEvenCountsMedianIsTheMeanOfTheMiddleTwo() {
    assertThat(new CompletionTimes(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
  }

  @Test
  void anOddCountsMedianIsTheMiddleTimeWhateverTheOrder() {
    assertThat(new CompletionTimes(List.of(9.0, 1.0, 2.0)).median()).isEqualTo(2.0);
  }

  @Test
  void p90InterpolatesAtRankPointNineOfNMinusOne() {
    // rank 0.9 × 2 = 1.8: 80 % of the way from the middle time (2) to the largest (12)
    assertThat(new CompletionTimes(List.of(12.0, 1.0, 2.0)).p90()).isCloseTo(10.0, within(1e-12));
    // ten times 1..10: rank 8.1, a tenth of the way from 9 to 10
    assertThat(new CompletionTimes(List.of(10.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0)).p90())
        .isCloseTo(9.1, within(1e-12));
  }

  @Test
  void theEndsAreTheFastestAndTheSlowest() {
    var times = new CompletionTimes(List.of(3.0, 1.0, 2.0));
    assertThat(times.quantile(0)).isEqualTo(1.0);
    assertThat(times.quantile(1)).isEqualTo(3.0);
  }

  @Test
  void noTimesOrAQuantileOutsideZeroToOneIsRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> new CompletionTimes(List.of())).hasMessageContaining("none measured");
    assertThatThrownBy(() -> new CompletionTimes(List.of(1.0)).quantile(1.5)).hasMessageContaining("1.5");
  }
}
