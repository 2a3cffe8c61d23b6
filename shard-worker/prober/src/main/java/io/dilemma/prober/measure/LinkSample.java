package io.dilemma.prober.measure;

/**
 * One probe of one direction.
 *
 * @param rttSeconds median round trip of the echoes
 * @param bandwidthBytesPerSecond the bulk transfer's rate as the receiver measured it
 * @param bytesSent all bytes this probe put on the link, both ways: echoes, bulk and the
 *     receiver's acknowledgements; its cost
 * @param seconds wall time of the whole probe
 */
public record LinkSample(double rttSeconds, double bandwidthBytesPerSecond, long bytesSent, double seconds) {}
