package io.dilemma.prober.cli;

import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.ExitCode;
import io.dilemma.prober.core.ChangeThreshold;
import io.dilemma.prober.core.FigureSink;
import io.dilemma.prober.core.LevelShift;
import io.dilemma.prober.core.PeerDirectory;
import io.dilemma.prober.core.PeerScheduler;
import io.dilemma.prober.core.ProbeLoop;
import io.dilemma.prober.core.ShareHysteresis;
import io.dilemma.prober.kube.DaemonSetPeers;
import io.dilemma.prober.kube.KubernetesFigures;
import io.dilemma.prober.load.NodeCgroup;
import io.dilemma.prober.load.ProcCpuCounters;
import io.dilemma.prober.measure.LinkProbeServer;
import io.dilemma.worker.model.runtime.MatMulBenchmark;
import io.dilemma.prober.measure.MemoryBandwidthBenchmark;
import io.dilemma.prober.metrics.ProbeMetrics;
import io.dilemma.prober.standalone.LoggedFigures;
import io.dilemma.prober.standalone.PeerList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The DaemonSet's process: serve probes, probe peers one at a time, publish compute at start and
 * then every {@code --compute-interval}, and the available share as it changes.
 */
@Command(name = "probe",
    description = "Runs the prober on this node (in the prober DaemonSet).")
final class ProbeCommand extends DilemmaCommand {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeCommand.class);

  @Option(names = "--node", required = true, defaultValue = "${env:NODE_NAME}", description = "This node's name (downward API spec.nodeName).")
  String node;

  @Option(names = "--namespace", defaultValue = "${env:POD_NAMESPACE}",
      description = "Namespace of the prober pods (required unless --peers is given).")
  String namespace;

  @Option(names = "--peer-selector", split = ",",
      description = "Labels of the prober pods, key=value[,key=value] (required unless --peers is given).")
  Map<String, String> selector;

  @Option(names = "--peers", split = ",", paramLabel = "NODE=HOST:PORT", converter = PeerEntryConverter.class,
      description = {"The other probers, instead of the DaemonSet's pods: NODE=HOST:PORT[,...]; an entry for this node is skipped,"
          + " so every prober can be given the same list.",
          "Runs without the API server: figures go to the log and /metrics only (no EdgeLinks, no Node labels)."})
  List<PeerList.Entry> peers;

  @Option(names = "--port", defaultValue = "7470", description = "Probe server port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--listen-address", defaultValue = "0.0.0.0",
      description = "Address the probe server listens on; the pod IP would do as well (default: ${DEFAULT-VALUE}).")
  String listenAddress;

  @Option(names = "--metrics-port", defaultValue = "9470", description = "Port of /metrics (default: ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--probe-interval", defaultValue = "PT30S", description = "Least time between two probes, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration probeInterval;

  @Option(names = "--shift-factor", defaultValue = "2",
      description = "A bandwidth or RTT this many times off its average is a new level once a second probe confirms it,"
          + " and restarts the average; a single one is a spike and ignored (default: ${DEFAULT-VALUE}).")
  double shiftFactor;

  @Option(names = "--compute-interval", defaultValue = "PT6H", description = "Time between compute benchmarks (default: ${DEFAULT-VALUE}).")
  Duration computeInterval;

  @Option(names = "--refresh", defaultValue = "PT4M", description = "Re-stamp an unchanged EdgeLink after this long; keep below the operator's EdgeLink TTL (default: ${DEFAULT-VALUE}).")
  Duration refresh;

  @Option(names = "--share-hold", defaultValue = "PT2M", description = "How long a load change must last before the available share moves (default: ${DEFAULT-VALUE}).")
  Duration shareHold;

  @Option(names = "--proc", defaultValue = "/proc", description = "The host's /proc (default: ${DEFAULT-VALUE}).")
  Path proc;

  @Option(names = "--cgroup-root", defaultValue = "/sys/fs/cgroup",
      description = "The host's cgroup v2 mount, or the directory of its v1 hierarchies; the version is detected (default: ${DEFAULT-VALUE}).")
  Path cgroupRoot;

  @Option(names = "--node-cgroup", defaultValue = "none", converter = NodeCgroupConverter.class,
      description = "What the node is: none (the whole host), auto (the parent of the prober container's cgroup) or a cgroup path;"
          + " with a cgroup, capacity is its CPU limit and busy time its usage (default: ${DEFAULT-VALUE}).")
  NodeCgroup nodeCgroup;

  @Option(names = "--shard-marker", split = ",", defaultValue = "shard-worker.jar,io.dilemma.worker.cli.ShardWorkerCli",
      description = "Command-line substrings of Dilemma shard processes (default: ${DEFAULT-VALUE}).")
  List<String> shardMarkers;

  @Option(names = "--matmul-size", defaultValue = "512", description = "MatMul benchmark side (default: ${DEFAULT-VALUE}).")
  int matmulSize;

  @Option(names = "--matmul-window", defaultValue = "PT1S",
      description = "Least wall time of one of the MatMul benchmark's three windows; keep it at 10 CFS periods or more, so a quota shows as its throttled rate (default: ${DEFAULT-VALUE}).")
  Duration matmulWindow;

  @Option(names = "--memory-bytes", defaultValue = "134217728", description = "Memory benchmark array bytes (default: ${DEFAULT-VALUE}).")
  long memoryBytes;

  @Mixin LinkOptions link = new LinkOptions();

  static final class PeerEntryConverter implements CommandLine.ITypeConverter<PeerList.Entry> {
    @Override
    public PeerList.Entry convert(String value) {
      try {
        return PeerList.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  static final class NodeCgroupConverter implements CommandLine.ITypeConverter<NodeCgroup> {
    @Override
    public NodeCgroup convert(String value) {
      try {
        return NodeCgroup.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  @Override
  protected int execute() throws Exception {
    PeerList listed = listedPeers();
    ProcCpuCounters cpu = ProcCpuCounters.open(proc, cgroupRoot, nodeCgroup, shardMarkers);
    LOG.info("live load: {}", cpu.describe());
    PrometheusRegistry registry = new PrometheusRegistry();
    ProbeMetrics metrics = new ProbeMetrics(registry).forNode(node);
    try (KubernetesClient client = listed == null ? new KubernetesClientBuilder().build() : null;
        LinkProbeServer server = new LinkProbeServer(new InetSocketAddress(listenAddress, port), link.bulkBytes * 2, 2);
        HTTPServer http = HTTPServer.builder().port(metricsPort).registry(registry).buildAndStart()) {
      PeerDirectory directory = listed != null ? listed : new DaemonSetPeers(client, namespace, selector, node, port);
      FigureSink store = listed != null ? new LoggedFigures() : new KubernetesFigures(client, node);
      ProbeLoop loop = new ProbeLoop(node,
          new ProbeLoop.Settings(0.3, 10, new ChangeThreshold(0.05, 0, refresh), new ChangeThreshold(0.1, 0.0002, refresh),
              new LevelShift(shiftFactor, 0), new LevelShift(shiftFactor, 0.0005), 0.1),
          directory, link.prober()::probe, link.servingProber()::probe,
          cpu, store, metrics, new PeerScheduler(probeInterval),
          new ShareHysteresis(0.15, shareHold, 0.05), Clock.systemUTC());
      Instant nextCompute = Instant.MIN;
      LOG.info("prober on {} serving probes on :{}, metrics on :{}, peers {}", node, server.port(), http.getPort(),
          listed != null ? "from --peers, figures to the log and /metrics only" : "from the API server");
      while (!Thread.currentThread().isInterrupted()) {
        if (!Instant.now().isBefore(nextCompute)) {
          double flops = new MatMulBenchmark(matmulSize, 3, matmulWindow).flopsPerSecond();
          double memory = new MemoryBandwidthBenchmark(memoryBytes, 3, Runtime.getRuntime().availableProcessors()).bytesPerSecond();
          LOG.info("compute: {} GFLOP/s, memory {} GB/s", String.format("%.1f", flops / 1e9), String.format("%.1f", memory / 1e9));
          metrics.compute(flops, memory);
          try {
            store.compute(flops, memory);
            nextCompute = Instant.now().plus(computeInterval);
          } catch (IOException e) {
            LOG.warn("{}", e.getMessage());
            nextCompute = Instant.now().plus(probeInterval);
          }
        }
        try {
          ProbeLoop.Outcome outcome = loop.tick();
          long bytes = loop.takeBytesSent();
          if (bytes > 0) {
            metrics.sent(bytes);
            LOG.info("{}: {} bytes sent", outcome, bytes);
          }
        } catch (IOException e) {
          LOG.warn("{}", e.getMessage());
        }
        Thread.sleep(Math.max(1000, probeInterval.toMillis() / 4));
      }
      return ExitCode.OK;
    }
  }

  /**
   * The peers of {@code --peers}, or null when they come from the API server; either way the flags
   * that say where they come from must be complete and must not contradict each other.
   */
  private PeerList listedPeers() {
    if (peers == null) {
      if (namespace == null || namespace.isBlank() || selector == null) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--namespace and --peer-selector are required unless --peers is given");
      }
      return null;
    }
    if (selector != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--peers and --peer-selector exclude each other: give one");
    }
    try {
      return new PeerList(peers);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--peers " + e.getMessage());
    }
  }
}
