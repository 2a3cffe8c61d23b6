package io.dilemma.prober.core;

/**
 * When a new sample is not noise around the EWMA but a new level: more than {@code factor} times
 * above or below it, and by more than {@code absolute}. An EWMA alone follows a tenfold drop only
 * after many samples (at a weight of 0.3, five samples still publish twice the new rate), and the
 * operator would plan with a link that no longer exists for minutes.
 *
 * @param factor how many times off the EWMA a sample must be, above 1 (2 reads a halving as a shift)
 * @param absolute smallest absolute distance that counts, in the figure's unit (a loopback RTT that
 *     goes from 0.05 ms to 0.15 ms is jitter, not a shift)
 */
public record LevelShift(double factor, double absolute) {
  public LevelShift {
    if (!(factor > 1)) throw new IllegalArgumentException("shift factor must be above 1, was " + factor);
    if (!(absolute >= 0)) throw new IllegalArgumentException("shift absolute must be at least 0, was " + absolute);
  }

  /** Above (+1) or below (-1) the level, or 0 when the sample is within its band. */
  public int side(double level, double sample) {
    if (Math.abs(sample - level) <= absolute) return 0;
    if (sample > level * factor) return 1;
    if (sample * factor < level) return -1;
    return 0;
  }
}
