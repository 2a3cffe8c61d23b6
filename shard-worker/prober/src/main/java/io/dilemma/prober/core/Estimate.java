package io.dilemma.prober.core;

import java.time.Instant;

/**
 * A smoothed figure as it would be published.
 *
 * @param value the EWMA
 * @param min smallest raw sample in the window
 * @param max largest raw sample in the window
 * @param samples raw samples taken since the prober started
 * @param observedAt when the latest sample was taken
 */
public record Estimate(double value, double min, double max, long samples, Instant observedAt) {}
