package io.dilemma.prober.measure;

import java.io.DataInputStream;
import java.io.IOException;

/**
 * The bulk receiver's side of the connection, as the sender reads it: acknowledgements, which move
 * the {@link SendWindow}, then {@link LinkProtocol#END} and the receiver's own figures.
 */
final class ReceiverReports {
  private final DataInputStream in;
  private final SendWindow window;
  private long bytesRead;
  private boolean ended;
  private long counted;
  private long nanos;

  ReceiverReports(DataInputStream in, SendWindow window) {
    this.in = in;
    this.window = window;
  }

  /** Takes the acknowledgements already here, without waiting for more. */
  void takeArrived() throws IOException {
    while (!ended && in.available() >= LinkProtocol.LONG_BYTES) next();
  }

  /** Waits for the next report: the sender calls this when its window is full. */
  void awaitNext() throws IOException {
    if (!ended) next();
  }

  /** After the sender half-closed: reads to the receiver's figures. */
  void awaitEnd() throws IOException {
    while (!ended) next();
  }

  private void next() throws IOException {
    long value = in.readLong();
    bytesRead += LinkProtocol.LONG_BYTES;
    if (value == LinkProtocol.END) {
      counted = in.readLong();
      nanos = in.readLong();
      bytesRead += 2L * LinkProtocol.LONG_BYTES;
      ended = true;
    } else {
      window.acknowledged(value, System.nanoTime());
    }
  }

  /** The receiver stopped reading (it reached its limit, or the sender half-closed). */
  boolean ended() {
    return ended;
  }

  /** Bytes the receiver counted after its first read. */
  long counted() {
    return counted;
  }

  /** Nanoseconds from the receiver's first read to its last. */
  long nanos() {
    return nanos;
  }

  /** What the reports cost on the link. */
  long bytesRead() {
    return bytesRead;
  }
}
