package io.dilemma.worker.serving.frame;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CutQuotaTest {

  @Test
  void decodeStepsKeepTheHighPrecisionShareWithinOneTokenOfRho() {
    for (double rho : new double[] {0, 0.1, 0.25, 0.5, 0.9, 1}) {
      CutQuota quota = CutQuota.start();
      int prefill = 7;
      int high = quota.highTokensFor(prefill, rho);
      assertThat(high).isEqualTo(Math.round(rho * prefill));
      quota = quota.after(prefill, high);
      for (int step = 0; step < 200; step++) {
        int decodeHigh = quota.highTokensFor(1, rho);
        assertThat(decodeHigh).isBetween(0, 1);
        quota = quota.after(1, decodeHigh);
        assertThat((double) quota.highTokensSent()).isCloseTo(rho * quota.tokensSent(), org.assertj.core.data.Offset.offset(1.0));
      }
    }
  }

  @Test
  void thePrefillShareGoesToTheMostAttendedTokens() {
    boolean[] chosen = CutQuota.start().choose(new float[] {0.2f, 3f, 0.1f, 1f}, 0.5);
    assertThat(chosen).containsExactly(false, true, false, true);
  }
}
