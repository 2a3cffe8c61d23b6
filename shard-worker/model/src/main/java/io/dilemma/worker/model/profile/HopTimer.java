package io.dilemma.worker.model.profile;

/**
 * Times what one cut adds to a decode step, through the serving runtime's own transport. The
 * model module has no RPC, so the {@code shard-worker} binary supplies it to {@code profile}.
 */
@FunctionalInterface
public interface HopTimer {
  /**
   * Mean seconds of one decode step's round trip over a cut: a one-token activation frame of
   * width {@code hiddenSize} out to another process and the token's reply back.
   *
   * @param steps timed round trips, after a warm-up
   */
  double roundTripSeconds(int hiddenSize, int steps) throws Exception;
}
