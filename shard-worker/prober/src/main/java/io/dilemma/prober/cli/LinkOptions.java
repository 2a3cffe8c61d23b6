package io.dilemma.prober.cli;

import io.dilemma.prober.measure.LinkProber;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How one peer is probed; shared by `probe` and `bench`. */
final class LinkOptions {
  @Option(names = "--echoes", defaultValue = "20", description = "Echo requests per probe; their median is the RTT (default: ${DEFAULT-VALUE}).")
  int echoes;

  @Option(names = "--bulk-bytes", defaultValue = "8388608", description = "Most bytes of one bulk transfer (default: ${DEFAULT-VALUE}).")
  long bulkBytes;

  @Option(names = "--bulk-seconds", defaultValue = "2", description = "Longest a bulk transfer sends, seconds (default: ${DEFAULT-VALUE}).")
  double bulkSeconds;

  @Option(names = "--serving-bulk-bytes", defaultValue = "1048576",
      description = "Most bytes of one bulk transfer while this node's shards serve (default: ${DEFAULT-VALUE}).")
  long servingBulkBytes;

  @Option(names = "--serving-bulk-seconds", defaultValue = "0.25",
      description = "Longest a bulk transfer sends while this node's shards serve, seconds (default: ${DEFAULT-VALUE}).")
  double servingBulkSeconds;

  @Option(names = "--timeout-seconds", defaultValue = "10", description = "Connect and read timeout (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  LinkProber prober() {
    return new LinkProber(echoes, bulkBytes, Duration.ofMillis(Math.round(bulkSeconds * 1000)), Duration.ofSeconds(timeoutSeconds));
  }

  /** The light probe while the shards serve: the same echoes, a smaller and shorter bulk transfer. */
  LinkProber servingProber() {
    return new LinkProber(echoes, servingBulkBytes, Duration.ofMillis(Math.round(servingBulkSeconds * 1000)), Duration.ofSeconds(timeoutSeconds));
  }
}
