package io.dilemma.prober.core;

/**
 * The smoothed figures of one direction, as they are written.
 *
 * @param from this prober's node
 * @param to the peer's node
 * @param bandwidthBytesPerSecond the bandwidth estimate, bytes/s
 * @param rttSeconds the RTT estimate, seconds
 */
public record LinkMeasurement(String from, String to, Estimate bandwidthBytesPerSecond, Estimate rttSeconds) {}
