package io.dilemma.prober.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.prober.measure.LinkProbeServer;
import io.dilemma.prober.measure.LinkProber;
import io.dilemma.prober.measure.LinkSample;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A probe of a slow link stays inside its bounds: on a 10 Mbit/s relay a 2 s bulk transfer may not
 * carry more than 2 s of the link's bytes, nor run on while socket buffers drain. The probe's
 * bandwidth still lands within 15% of the shaped rate.
 */
class SlowLinkBoundsTest {
  private static final double RATE_BITS = 10e6;
  private static final double ONE_WAY_DELAY = 0.005;
  private static final Duration BULK = Duration.ofSeconds(2);
  private static final int ECHOES = 5;

  @Test
  void aProbeOfA10MbitLinkStaysWithinItsBytesAndSeconds() throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try (LinkProbeServer server = new LinkProbeServer(loopback, 64L << 20, 2);
        ShapedRelay relay = new ShapedRelay(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), RATE_BITS, ONE_WAY_DELAY)) {
      LinkProber prober = new LinkProber(ECHOES, 32L << 20, BULK, Duration.ofSeconds(30));

      LinkSample sample = prober.probe(relay.address());

      double echoSeconds = ECHOES * 2 * ONE_WAY_DELAY;
      double boundSeconds = BULK.toNanos() / 1e9 + echoSeconds;
      // what the link carries in the bound, plus 10% for the acknowledgements and the receiver's last read
      long boundBytes = Math.round(RATE_BITS / 8 * boundSeconds * 1.1);
      assertThat(sample.seconds()).as("seconds of the probe").isLessThan(boundSeconds * 1.1);
      assertThat(sample.bytesSent()).as("bytes of the probe").isLessThan(boundBytes);
      assertThat(sample.bandwidthBytesPerSecond() * 8 / RATE_BITS).as("measured / shaped rate").isBetween(0.85, 1.15);
    }
  }
}
