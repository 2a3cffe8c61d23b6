package io.dilemma.worker.model.synth;

import io.dilemma.worker.model.core.ModelDimensions;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Model shapes {@code synth} knows by name. */
public enum OptPreset {
  /** For tests: runs in milliseconds. */
  OPT_TINY("opt-tiny", new ModelDimensions(4, 64, 64, 4, 256, 512, 512, true)),
  OPT_125M("opt-125m", new ModelDimensions(12, 768, 768, 12, 3072, 50272, 2048, true)),
  /** Post-LN with the 512↔1024 embedding projection, like the real OPT-350m. */
  OPT_350M("opt-350m", new ModelDimensions(24, 1024, 512, 16, 4096, 50272, 2048, false)),
  /** Too large to run here; used for shape-only profiling. */
  OPT_6_7B("opt-6.7b", new ModelDimensions(32, 4096, 4096, 32, 16384, 50272, 2048, true));

  private final String presetName;
  private final ModelDimensions dimensions;

  OptPreset(String presetName, ModelDimensions dimensions) {
    this.presetName = presetName;
    this.dimensions = dimensions;
  }

  public String presetName() {
    return presetName;
  }

  public ModelDimensions dimensions() {
    return dimensions;
  }

  public static OptPreset byName(String name) {
    return Arrays.stream(values())
        .filter(p -> p.presetName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown preset '" + name + "' (known: " + names() + ")"));
  }

  public static String names() {
    return Arrays.stream(values()).map(OptPreset::presetName).collect(Collectors.joining(", "));
  }
}
