package io.dilemma.worker.model.profile;

/** Where a profiler reports progress: the number of steps once, then each finished step. */
public interface ProfileProgress {
  void start(int steps);

  void step();

  static ProfileProgress none() {
    return new ProfileProgress() {
      @Override
      public void start(int steps) {}

      @Override
      public void step() {}
    };
  }
}
