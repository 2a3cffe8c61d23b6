package io.dilemma.prober.core;

import io.dilemma.prober.load.CpuCounterSource;
import io.dilemma.prober.load.CpuCounters;
import io.dilemma.prober.load.LiveLoad;
import io.dilemma.prober.measure.LinkSample;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prober's decisions, tick by tick: read the live load and publish its share through the
 * hysteresis; probe the next peer and write its link when it moved. While our shards serve, the
 * probe is the bounded light one (fewer bytes, shorter), never none: a link that is throttled
 * while a generation runs must still reach the plan within two probes.
 * Metrics see every measurement; the store (EdgeLinks, the Node) only what moved.
 * Everything it talks to is behind an interface, so the decisions are tested without a cluster.
 */
public final class ProbeLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ProbeLoop.class);

  /** Measures one peer. */
  public interface LinkProbe {
    LinkSample probe(InetSocketAddress address) throws IOException;
  }

  /**
   * @param alpha EWMA weight of the newest sample
   * @param window samples that min and max look back over
   * @param bandwidthThreshold when a bandwidth (bytes/s) is worth writing
   * @param rttThreshold when an RTT (seconds) is worth writing
   * @param bandwidthShift when a bandwidth sample is a new level, not noise
   * @param rttShift when an RTT sample is a new level, not noise
   * @param servingShare our shards' CPU share above which they count as serving
   */
  public record Settings(double alpha, int window, ChangeThreshold bandwidthThreshold, ChangeThreshold rttThreshold,
      LevelShift bandwidthShift, LevelShift rttShift, double servingShare) {}

  private record Written(double bandwidth, double rtt, Instant at) {}

  private final String self;
  private final Settings settings;
  private final PeerDirectory directory;
  private final LinkProbe probe;
  private final LinkProbe servingProbe;
  private final CpuCounterSource cpu;
  private final FigureSink sink;
  private final FigureSink metrics;
  private final PeerScheduler scheduler;
  private final ShareHysteresis hysteresis;
  private final Clock clock;
  private final Map<String, SmoothedFigure[]> figures = new HashMap<>();
  private final Map<String, Written> written = new HashMap<>();
  private CpuCounters lastCounters;
  private long bytesThisRound;
  private LiveLoad lastLoad;

  /**
   * @param probe the full probe, while our shards are idle
   * @param servingProbe the light probe, while they serve
   */
  public ProbeLoop(String self, Settings settings, PeerDirectory directory, LinkProbe probe, LinkProbe servingProbe,
      CpuCounterSource cpu, FigureSink sink, FigureSink metrics, PeerScheduler scheduler, ShareHysteresis hysteresis, Clock clock) {
    this.self = self;
    this.settings = settings;
    this.directory = directory;
    this.probe = probe;
    this.servingProbe = servingProbe;
    this.cpu = cpu;
    this.sink = sink;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.hysteresis = hysteresis;
    this.clock = clock;
  }

  /** What one tick did, for logs and tests. */
  public enum Outcome { PROBED_AND_WROTE, PROBED_UNCHANGED, RATE_LIMITED, NO_PEERS, PROBE_FAILED }

  public Outcome tick() throws IOException {
    Instant now = clock.instant();
    boolean serving = readLoad(now);
    List<Peer> peers = directory.peers().stream().filter(p -> !p.node().equals(self)).toList();
    if (peers.isEmpty()) return Outcome.NO_PEERS;
    Optional<String> next = scheduler.next(peers.stream().map(Peer::node).toList(), now);
    if (next.isEmpty()) return Outcome.RATE_LIMITED;
    Peer peer = peers.stream().filter(p -> p.node().equals(next.get())).findFirst().orElseThrow();
    LinkSample sample;
    try {
      sample = (serving ? servingProbe : probe).probe(peer.address());
    } catch (IOException e) {
      LOG.warn("probing {} at {} failed: {}", peer.node(), peer.address(), e.getMessage());
      return Outcome.PROBE_FAILED;
    }
    bytesThisRound += sample.bytesSent();
    LOG.info("probed {} ({}): {} Mbit/s, RTT {} ms, {} bytes in {} s", peer.node(), serving ? "light, shards serving" : "full",
        String.format("%.2f", sample.bandwidthBytesPerSecond() * 8 / 1e6), String.format("%.3f", sample.rttSeconds() * 1e3),
        sample.bytesSent(), String.format("%.2f", sample.seconds()));
    return record(peer.node(), sample, clock.instant());
  }

  /** Bytes sent since the last call: a probe round's cost. */
  public long takeBytesSent() {
    long b = bytesThisRound;
    bytesThisRound = 0;
    return b;
  }

  public Optional<LiveLoad> lastLoad() {
    return Optional.ofNullable(lastLoad);
  }

  private boolean readLoad(Instant now) throws IOException {
    CpuCounters counters = cpu.read();
    boolean serving = false;
    if (lastCounters != null && counters.capacityMicros() > lastCounters.capacityMicros()) {
      lastLoad = LiveLoad.between(lastCounters, counters);
      serving = lastLoad.shardShare() > settings.servingShare();
      OptionalDouble share = hysteresis.offer(lastLoad.availableShare(), now);
      if (share.isPresent()) {
        metrics.availableShare(share.getAsDouble());
        sink.availableShare(share.getAsDouble());
      }
    }
    lastCounters = counters;
    return serving;
  }

  private Outcome record(String peer, LinkSample sample, Instant at) throws IOException {
    SmoothedFigure[] pair = figures.computeIfAbsent(peer, p -> new SmoothedFigure[] {
        new SmoothedFigure(settings.alpha(), settings.window(), settings.bandwidthShift()),
        new SmoothedFigure(settings.alpha(), settings.window(), settings.rttShift())});
    SmoothedFigure.Fold bwFold = pair[0].add(sample.bandwidthBytesPerSecond(), at);
    SmoothedFigure.Fold rttFold = pair[1].add(sample.rttSeconds(), at);
    if (bwFold == SmoothedFigure.Fold.SUSPECT || rttFold == SmoothedFigure.Fold.SUSPECT) {
      LOG.info("{}: a new level or a spike; probing it again next", peer);
      scheduler.again(peer);
    }
    Optional<Estimate> bw = pair[0].estimate();
    Optional<Estimate> rtt = pair[1].estimate();
    if (bw.isEmpty() || rtt.isEmpty()) return Outcome.PROBE_FAILED;
    LinkMeasurement measurement = new LinkMeasurement(self, peer, bw.get(), rtt.get());
    metrics.link(measurement);
    Written last = written.get(peer);
    boolean write = last == null
        || settings.bandwidthThreshold().shouldWrite(last.bandwidth(), last.at(), bw.get().value(), at)
        || settings.rttThreshold().shouldWrite(last.rtt(), last.at(), rtt.get().value(), at);
    if (!write) return Outcome.PROBED_UNCHANGED;
    sink.link(measurement);
    written.put(peer, new Written(bw.get().value(), rtt.get().value(), at));
    return Outcome.PROBED_AND_WROTE;
  }
}
