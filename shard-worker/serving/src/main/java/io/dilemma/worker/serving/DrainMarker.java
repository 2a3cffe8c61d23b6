package io.dilemma.worker.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The file a pod's preStop hook writes when the pod is being stopped ({@link
 * io.dilemma.contract.ShardDrain}). Only a marker written after this worker started counts: a
 * container restarted in the same pod keeps its {@code /tmp}, and a developer's machine may hold
 * an old one.
 */
record DrainMarker(Path path, Instant startedAt) {
  boolean present() {
    try {
      return Files.getLastModifiedTime(path).toInstant().isAfter(startedAt.minusSeconds(1));
    } catch (IOException e) {
      return false;
    }
  }
}
