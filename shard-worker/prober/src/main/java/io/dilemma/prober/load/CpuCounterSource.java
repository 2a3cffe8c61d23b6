package io.dilemma.prober.load;

import java.io.IOException;

/** Where the counters come from: the host's /proc and cgroup tree, or fixtures in tests. */
public interface CpuCounterSource {
  CpuCounters read() throws IOException;
}
