package io.dilemma.prober.core;

import java.io.IOException;

/** Where figures go: EdgeLinks and this node's labels, and the metrics. */
public interface FigureSink {
  void link(LinkMeasurement measurement) throws IOException;

  /** The node's compute, floating-point operations per second, and memory bandwidth, bytes/s. */
  void compute(double flopsPerSecond, double memoryBytesPerSecond) throws IOException;

  void availableShare(double share) throws IOException;
}
