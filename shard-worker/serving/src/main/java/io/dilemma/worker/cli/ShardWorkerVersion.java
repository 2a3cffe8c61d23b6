package io.dilemma.worker.cli;

import io.dilemma.commandline.ManifestVersion;

/** {@code shard-worker --version}, from the shard-worker jar's manifest. */
public final class ShardWorkerVersion extends ManifestVersion {
  public ShardWorkerVersion() {
    super("shard-worker");
  }
}
