package io.dilemma.prober.measure;

/**
 * The wire protocol between probers, one TCP connection per probe. The client sends one opcode:
 *
 * <ul>
 *   <li>{@code ECHO}: then {@code n} messages of {@link #ECHO_BYTES} bytes, each echoed back at
 *       once; the client times each round trip.
 *   <li>{@code BULK}: then an 8-byte limit, then up to that many bytes until it half-closes. While
 *       it reads, the server acknowledges: an 8-byte count of the bytes read so far, at least
 *       every {@link #ACK_EVERY_BYTES} or {@link #ACK_EVERY_NANOS}. The client keeps its bytes in
 *       flight within a {@link SendWindow} sized from those counts. At the end the server writes
 *       {@link #END}, then the bytes it received after the first read and the nanoseconds between
 *       the end of that first read and the last byte, so the figure is the link's rate as the
 *       receiver saw it, without connection setup or the client's buffering.
 * </ul>
 */
final class LinkProtocol {
  static final int ECHO = 'E';
  static final int BULK = 'B';
  static final int ECHO_BYTES = 64;
  static final int CHUNK_BYTES = 64 * 1024;
  static final int ACK_EVERY_BYTES = 16 * 1024;
  static final long ACK_EVERY_NANOS = 5_000_000;
  /** Marks the end of the acknowledgements: no count is negative. */
  static final long END = -1;
  static final int LONG_BYTES = Long.BYTES;

  private LinkProtocol() {}
}
