package io.dilemma.prober.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.prober.load.CpuCounters;
import io.dilemma.prober.measure.LinkSample;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loop's decisions against fakes: a settable clock, CPU counters and link samples. */
class ProbeLoopTest {
  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock = new Clock() {
    @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  };
  private long capacity;
  private long busy;
  private long shard;
  private double bandwidth = 1_000_000;
  private final List<String> probed = new ArrayList<>();
  private final List<LinkMeasurement> writes = new ArrayList<>();
  private final List<LinkMeasurement> observed = new ArrayList<>();
  private final List<Double> shares = new ArrayList<>();

  private FigureSink recorder(List<LinkMeasurement> links, List<Double> shareLog) {
    return new FigureSink() {
      @Override public void link(LinkMeasurement m) { links.add(m); }
      @Override public void compute(double f, double m) {}
      @Override public void availableShare(double s) { if (shareLog != null) shareLog.add(s); }
    };
  }

  private ProbeLoop loop() {
    var settings = new ProbeLoop.Settings(0.5, 4,
        new ChangeThreshold(0.1, 0, Duration.ofMinutes(5)), new ChangeThreshold(0.2, 0.0005, Duration.ofMinutes(5)),
        new LevelShift(2, 0), new LevelShift(2, 0.0005), 0.1);
    PeerDirectory peers = () -> List.of(
        new Peer("self", new InetSocketAddress("127.0.0.1", 1)),
        new Peer("b", new InetSocketAddress("127.0.0.1", 2)),
        new Peer("c", new InetSocketAddress("127.0.0.1", 3)));
    ProbeLoop.LinkProbe probe = address -> {
      probed.add(Integer.toString(address.getPort()));
      return new LinkSample(0.002, bandwidth, 1000, 0.1);
    };
    ProbeLoop.LinkProbe light = address -> {
      probed.add(address.getPort() + " light");
      return new LinkSample(0.002, bandwidth, 100, 0.1);
    };
    return new ProbeLoop("self", settings, peers, probe, light,
        () -> new CpuCounters(capacity, busy, shard, 0, Map.of("/shard", shard)),
        recorder(writes, shares), recorder(observed, null),
        new PeerScheduler(Duration.ofSeconds(10)),
        new ShareHysteresis(0.15, Duration.ofMinutes(1), 0.05), clock);
  }

  private void advance(long seconds, double busyShare, double shardShare) {
    now = now.plusSeconds(seconds);
    long micros = seconds * 2_000_000; // two cores
    capacity += micros;
    busy += Math.round(micros * busyShare);
    shard += Math.round(micros * shardShare);
  }

  @Test
  void probesPeersInTurnNeverItselfAndSkipsUnchangedWrites() throws Exception {
    ProbeLoop loop = loop();
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    advance(5, 0, 0);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.RATE_LIMITED);
    advance(5, 0, 0);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    advance(10, 0, 0);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_UNCHANGED);
    assertThat(probed).containsExactly("2", "3", "2");
    assertThat(writes).extracting(LinkMeasurement::to).containsExactly("b", "c");
    assertThat(observed).hasSize(3);
    assertThat(loop.takeBytesSent()).isEqualTo(3000);

    bandwidth = 500_000; // the link to c degrades: EWMA 0.75 MB/s, a 25% move
    advance(10, 0, 0);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    LinkMeasurement last = writes.get(writes.size() - 1);
    assertThat(last.to()).isEqualTo("c");
    assertThat(last.bandwidthBytesPerSecond().value()).isEqualTo(750_000);
    assertThat(last.bandwidthBytesPerSecond().min()).isEqualTo(500_000);
    assertThat(last.bandwidthBytesPerSecond().samples()).isEqualTo(2);
  }

  @Test
  void probesLightWhileOurShardsServeAndTheirLoadNeverCountsAgainstTheNode() throws Exception {
    ProbeLoop loop = loop();
    loop.tick();
    advance(10, 0.9, 0.9);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    assertThat(loop.lastLoad().orElseThrow().availableShare()).isEqualTo(1.0);
    assertThat(shares).containsExactly(1.0);
    advance(10, 0.05, 0);
    loop.tick();
    assertThat(probed).containsExactly("2", "3 light", "2");
    assertThat(loop.takeBytesSent()).isEqualTo(2100);
  }

  @Test
  void aTenfoldDropWhileServingIsConfirmedOnTheSamePeerAndWrittenOnTheSecondProbe() throws Exception {
    ProbeLoop loop = loop();
    loop.tick();
    advance(10, 0, 0);
    loop.tick();
    bandwidth = 100_000; // the link to b is throttled tenfold while the shards serve
    advance(10, 0.9, 0.9);
    assertThat(loop.tick()).as("one sample may be a spike").isEqualTo(ProbeLoop.Outcome.PROBED_UNCHANGED);
    advance(10, 0.9, 0.9);
    assertThat(loop.tick()).isEqualTo(ProbeLoop.Outcome.PROBED_AND_WROTE);
    assertThat(probed).containsExactly("2", "3", "2 light", "2 light");
    LinkMeasurement last = writes.get(writes.size() - 1);
    assertThat(last.to()).isEqualTo("b");
    assertThat(last.bandwidthBytesPerSecond().value()).isEqualTo(100_000);
  }

  @Test
  void aForeignHogLowersTheShareOnlyAfterTheHold() throws Exception {
    ProbeLoop loop = loop();
    loop.tick();
    advance(10, 0.0, 0);
    loop.tick();
    advance(10, 0.6, 0);
    loop.tick();
    assertThat(shares).containsExactly(1.0);
    for (int i = 0; i < 7; i++) {
      advance(10, 0.6, 0);
      loop.tick();
    }
    assertThat(shares).hasSize(2);
    assertThat(shares.get(1)).isCloseTo(0.4, org.assertj.core.api.Assertions.within(1e-9));
  }
}
