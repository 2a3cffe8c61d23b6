package io.dilemma.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainMarkerTest {
  @TempDir Path dir;

  @Test
  void onlyAMarkerWrittenSinceTheWorkerStartedCounts() throws Exception {
    Path marker = dir.resolve("dilemma-draining");
    Instant started = Instant.now();
    DrainMarker drain = new DrainMarker(marker, started);
    assertThat(drain.present()).as("no marker").isFalse();
    Files.writeString(marker, "");
    Files.setLastModifiedTime(marker, FileTime.from(started.minusSeconds(60)));
    assertThat(drain.present()).as("left over from before this worker").isFalse();
    Files.setLastModifiedTime(marker, FileTime.from(started.plusSeconds(2)));
    assertThat(drain.present()).as("written by this pod's preStop hook").isTrue();
  }
}
