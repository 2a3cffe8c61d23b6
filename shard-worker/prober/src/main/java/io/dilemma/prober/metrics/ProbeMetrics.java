package io.dilemma.prober.metrics;

import io.dilemma.prober.core.FigureSink;
import io.dilemma.prober.core.LinkMeasurement;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The prober's series, in base units as Prometheus wants them. The operator's Prometheus link
 * source reads the two link series (its default queries convert them to Mbit/s and ms).
 */
public final class ProbeMetrics implements FigureSink {
  public static final String LINK_BANDWIDTH = "dilemma_link_bandwidth_bytes_per_second";
  public static final String LINK_RTT = "dilemma_link_rtt_seconds";

  private final Gauge bandwidth;
  private final Gauge rtt;
  private final Gauge gflops;
  private final Gauge memoryBandwidth;
  private final Gauge availableRatio;
  private final Counter probeBytes;

  public ProbeMetrics(PrometheusRegistry registry) {
    bandwidth = Gauge.builder().name(LINK_BANDWIDTH)
        .help("Smoothed bandwidth from node `from` to node `to`, measured by a bulk transfer")
        .labelNames("from", "to").register(registry);
    rtt = Gauge.builder().name(LINK_RTT)
        .help("Smoothed round-trip time between `from` and `to`, from small echoes")
        .labelNames("from", "to").register(registry);
    gflops = Gauge.builder().name("dilemma_node_gflops")
        .help("fp32 MatMul throughput of this node in ONNX Runtime at the shard runtime's thread settings, GFLOP/s")
        .labelNames("node").register(registry);
    memoryBandwidth = Gauge.builder().name("dilemma_node_memory_bandwidth_bytes_per_second")
        .help("Streaming-read memory bandwidth of this node").labelNames("node").register(registry);
    availableRatio = Gauge.builder().name("dilemma_node_available_compute_ratio")
        .help("Share of this node's CPU not busy with work other than Dilemma's shards, as published to the Node")
        .labelNames("node").register(registry);
    probeBytes = Counter.builder().name("dilemma_probe_sent_bytes")
        .help("Bytes this node's prober put on the links, echoes and bulk transfers").unit(Unit.BYTES)
        .labelNames("node").register(registry);
  }

  private String node = "";

  /** The node label of the node series; set once at start. */
  public ProbeMetrics forNode(String nodeName) {
    this.node = nodeName;
    return this;
  }

  @Override
  public void link(LinkMeasurement m) {
    bandwidth.labelValues(m.from(), m.to()).set(m.bandwidthBytesPerSecond().value());
    rtt.labelValues(m.from(), m.to()).set(m.rttSeconds().value());
  }

  public void sent(long bytes) {
    probeBytes.labelValues(node).inc(bytes);
  }

  @Override
  public void compute(double flopsPerSecond, double memoryBytesPerSecond) {
    gflops.labelValues(node).set(flopsPerSecond / 1e9);
    memoryBandwidth.labelValues(node).set(memoryBytesPerSecond);
  }

  @Override
  public void availableShare(double share) {
    availableRatio.labelValues(node).set(share);
  }
}
