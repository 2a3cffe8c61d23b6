package io.dilemma.worker.model.format;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.synth.ModelSynthesis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A packed layer file is Σ params·b/8 plus at most 3% (fp16 group scales, fp32 biases, graph). */
class PackedFileSizeTest {
  /** OPT-125m's block shape (two layers, small vocabulary): the overhead depends on d and ffn. */
  static final ModelDimensions DIMS = new ModelDimensions(2, 768, 768, 12, 3072, 1000, 64, true);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {8, 4})
  void layerFileIsParamsTimesBitsOverEightWithAtMost3PercentOverhead(int bits) throws Exception {
    ModelSynthesis.write(dir, "size-check", DIMS, 1, List.of(bits), l -> {});
    double ideal = DIMS.layerParameters() * bits / 8.0;
    for (int layer = 0; layer < DIMS.layers(); layer++) {
      long size = Files.size(dir.resolve(ShardManifest.layerFile(layer, bits)));
      double overhead = size / ideal - 1;
      System.out.printf("%d-bit layer file: %d bytes, ideal %.0f, overhead %.2f%%%n", bits, size, ideal, 100 * overhead);
      assertThat(overhead).isBetween(0.0, 0.03);
    }
  }
}
