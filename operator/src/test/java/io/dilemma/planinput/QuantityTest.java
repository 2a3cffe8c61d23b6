package io.dilemma.planinput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class QuantityTest {
  @Test
  void readsTheUnitsPeopleWrite() {
    assertThat(Quantity.BYTES.parse("6 GiB")).isEqualTo(6.0 * 1024 * 1024 * 1024);
    assertThat(Quantity.BYTES.parse("512MB")).isEqualTo(512e6);
    assertThat(Quantity.BYTES_PER_SECOND.parse("20 Mbit/s")).isEqualTo(2.5e6);
    assertThat(Quantity.BYTES_PER_SECOND.parse("10 GB/s")).isEqualTo(10e9);
    assertThat(Quantity.SECONDS.parse("40 ms")).isCloseTo(0.04, within(1e-15));
    assertThat(Quantity.SECONDS.parse("250 us")).isCloseTo(250e-6, within(1e-15));
    assertThat(Quantity.FLOPS.parse("30 GFLOP/s")).isEqualTo(30e9);
    assertThat(Quantity.FLOPS.parse("1e12")).isEqualTo(1e12);
  }

  @Test
  void rejectsUnknownUnitsNamingTheExpectedForm() {
    assertThatThrownBy(() -> Quantity.BYTES_PER_SECOND.parse("20 furlongs"))
        .hasMessageContaining("unknown unit 'furlongs'")
        .hasMessageContaining("Gbit/s");
    assertThatThrownBy(() -> Quantity.BYTES.parse("lots")).hasMessageContaining("expected a size");
  }
}
