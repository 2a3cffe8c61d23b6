package io.dilemma.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;

class ApiTimestampTest {
  @Test
  void readsWhatInstantParseReads() {
    for (String text : new String[] {
        "2026-12-03T05:46:27Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2026-12-03T05:46:27.1Z",
        "2026-12-03T05:46:27.123456Z", "2026-12-03T05:46:27.123456789Z", "2026-12-03T05:46:27+01:00",
        "2026-12-03T05:46:27.000Z", "2026-12-03T24:00:00Z", "2026-12-03T05:46:27.Z", "2026-12-31T23:59:60Z",
        "2026-12-03t05:46:27z"}) {
      assertThat(ApiTimestamp.parse(text)).as(text).isEqualTo(Instant.parse(text));
    }
  }

  @Test
  void refusesWhatInstantParseRefuses() {
    for (String text : new String[] {"2026-02-30T05:46:27Z", "2026-12-03T05:46:61Z", "2026-12-03T05:46:2xZ",
        "2026-12-03 05:46:27Z", "+2026-12-03T05:46:27Z", "2026-12-03T05:46:27.1234567890Z", "yesterday"}) {
      assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
      assertThatThrownBy(() -> ApiTimestamp.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
    }
  }
}
