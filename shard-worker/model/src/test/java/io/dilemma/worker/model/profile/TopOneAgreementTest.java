package io.dilemma.worker.model.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import org.junit.jupiter.api.Test;

class TopOneAgreementTest {
  private final OptWeights weights = new WeightSynthesizer(3).synthesize(OptPreset.OPT_TINY.dimensions());

  @Test
  void eightBitsEverywhereAgreesWithFp32OnAtLeast99PercentOf512TeacherSampledTokens() {
    double agreement = TopOneAgreement.measure(weights, 8, 512, 11);
    System.out.printf("opt-tiny top-1 agreement with fp32 over 512 tokens at 8 bits: %.4f%n", agreement);
    assertThat(agreement).isGreaterThanOrEqualTo(0.99);
  }

  @Test
  void agreementFallsAsBitsDrop() {
    double four = TopOneAgreement.measure(weights, 4, 512, 11);
    double three = TopOneAgreement.measure(weights, 3, 512, 11);
    double two = TopOneAgreement.measure(weights, 2, 512, 11);
    System.out.printf("opt-tiny top-1 agreement over 512 tokens: 4 bits %.4f, 3 bits %.4f, 2 bits %.4f%n", four, three, two);
    assertThat(two).isLessThan(four);
    assertThat(two).isLessThan(0.99);
  }
}
