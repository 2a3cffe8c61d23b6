package io.dilemma.prober.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Loopback only: checks the protocol and the bounds, not any rate. */
class LinkProberTest {
  private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void echoAndBulkGivePositiveFiguresAndCountTheirBytes() throws Exception {
    try (LinkProbeServer server = new LinkProbeServer(ANY_LOOPBACK, 64 << 20, 2)) {
      LinkProber prober = new LinkProber(5, 4 << 20, Duration.ofSeconds(5), Duration.ofSeconds(5));
      LinkSample sample = prober.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      assertThat(sample.rttSeconds()).isPositive().isLessThan(1);
      assertThat(sample.bandwidthBytesPerSecond()).isPositive();
      long payload = (4 << 20) + 2 * 5 * LinkProtocol.ECHO_BYTES;
      // plus the receiver's acknowledgements (one per ACK_EVERY_BYTES or ACK_EVERY_NANOS) and its report
      long acks = (4 << 20) / LinkProtocol.ACK_EVERY_BYTES + Math.round(sample.seconds() * 1e9 / LinkProtocol.ACK_EVERY_NANOS);
      long mostReports = (acks + 3) * LinkProtocol.LONG_BYTES;
      assertThat(sample.bytesSent()).isGreaterThan(payload).isLessThanOrEqualTo(payload + mostReports);
    }
  }

  @Test
  void theServerCapsWhatItReceivesWhateverTheClientAnnounces() throws Exception {
    try (LinkProbeServer server = new LinkProbeServer(ANY_LOOPBACK, 1 << 20, 1);
        java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
      var out = new java.io.DataOutputStream(socket.getOutputStream());
      out.write(LinkProtocol.BULK);
      out.writeLong(Long.MAX_VALUE);
      byte[] chunk = new byte[LinkProtocol.CHUNK_BYTES];
      for (int i = 0; i < 16; i++) out.write(chunk); // exactly the cap: 1 MiB
      out.flush();
      var in = new java.io.DataInputStream(socket.getInputStream());
      long acknowledged = 0;
      for (long report = in.readLong(); report != LinkProtocol.END; report = in.readLong()) acknowledged = report;
      assertThat(acknowledged).isLessThanOrEqualTo(1 << 20);
      long counted = in.readLong();
      assertThat(counted).isPositive().isLessThan(1 << 20);
      assertThat(in.readLong()).isNotNegative();
    }
  }

  @Test
  void theDurationBoundEndsABulkTransferEarly() throws Exception {
    try (LinkProbeServer server = new LinkProbeServer(ANY_LOOPBACK, Long.MAX_VALUE, 1)) {
      LinkProber prober = new LinkProber(1, Long.MAX_VALUE / 2, Duration.ofMillis(200), Duration.ofSeconds(5));
      LinkSample sample = prober.probe(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      assertThat(sample.seconds()).isLessThan(3);
    }
  }

  @Test
  void aTooSmallBulkIsRefused() {
    assertThatThrownBy(() -> new LinkProber(1, 1000, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("bulk bytes");
  }
}
