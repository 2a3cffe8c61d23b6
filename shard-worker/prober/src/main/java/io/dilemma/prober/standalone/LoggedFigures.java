package io.dilemma.prober.standalone;

import io.dilemma.prober.core.FigureSink;
import io.dilemma.prober.core.LinkMeasurement;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where figures go when the prober runs without the API server ({@code --peers}): one log line per
 * figure that moved, the same figures the EdgeLinks and the Node would get. The metrics see every
 * measurement either way.
 */
public final class LoggedFigures implements FigureSink {
  private static final Logger LOG = LoggerFactory.getLogger(LoggedFigures.class);

  @Override
  public void link(LinkMeasurement m) {
    LOG.info(String.format(Locale.ROOT, "link %s -> %s: %.2f Mbit/s (window %.2f..%.2f), RTT %.3f ms (window %.3f..%.3f), %d samples",
        m.from(), m.to(), mbps(m.bandwidthBytesPerSecond().value()), mbps(m.bandwidthBytesPerSecond().min()),
        mbps(m.bandwidthBytesPerSecond().max()), m.rttSeconds().value() * 1e3, m.rttSeconds().min() * 1e3,
        m.rttSeconds().max() * 1e3, Math.min(m.bandwidthBytesPerSecond().samples(), m.rttSeconds().samples())));
  }

  @Override
  public void compute(double flopsPerSecond, double memoryBytesPerSecond) {
    LOG.info(String.format(Locale.ROOT, "node compute: %.1f GFLOP/s, memory bandwidth %.2f GB/s", flopsPerSecond / 1e9, memoryBytesPerSecond / 1e9));
  }

  @Override
  public void availableShare(double share) {
    LOG.info(String.format(Locale.ROOT, "available compute share: %.2f", share));
  }

  private static double mbps(double bytesPerSecond) {
    return bytesPerSecond * 8 / 1e6;
  }
}
