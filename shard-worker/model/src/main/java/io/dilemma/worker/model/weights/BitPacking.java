package io.dilemma.worker.model.weights;

/** Codes of {@code bits} bits packed back to back, least significant bits first. */
final class BitPacking {
  private BitPacking() {}

  static int read(byte[] data, int start, int index, int bits) {
    int bit = index * bits;
    int at = start + (bit >>> 3);
    int shift = bit & 7;
    int window = data[at] & 0xff;
    if (shift + bits > 8) {
      window |= (data[at + 1] & 0xff) << 8;
    }
    return (window >>> shift) & ((1 << bits) - 1);
  }

  static void write(byte[] data, int start, int index, int bits, int code) {
    int bit = index * bits;
    int at = start + (bit >>> 3);
    int shift = bit & 7;
    data[at] |= (byte) (code << shift);
    if (shift + bits > 8) {
      data[at + 1] |= (byte) (code >>> (8 - shift));
    }
  }
}
