package io.dilemma.worker.model.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.worker.model.format.ModelDirectory;
import io.dilemma.worker.model.format.ModelPacker;
import io.dilemma.worker.model.synth.ModelSynthesis;
import io.dilemma.worker.model.synth.OptPreset;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OPT-125m-sized worker with every layer and the LM head at 4 bits must take at most 0.35× the
 * resident memory of the same worker at fp32 (the token embedding goes to fp16): measured as the VmRSS of a child JVM that loaded
 * the model and decoded with it.
 */
class ResidentMemoryIT {
  @TempDir Path dir;

  @Test
  void fourBitWorkerTakesAtMost35PercentOfTheFp32WorkersResidentMemory() throws Exception {
    int layers = OptPreset.OPT_125M.dimensions().layers();
    ModelSynthesis.write(dir, "opt-125m", OptPreset.OPT_125M.dimensions(), 1, List.of(32), l -> {});
    ModelPacker.packInPlace(ModelDirectory.open(dir), Collections.nCopies(layers, 4), null, l -> {});
    long fp32 = ResidentMemoryProbe.measure(dir, 32, layers);
    // The 4-bit worker keeps its token table (a Gather source, not a MatMul) in fp16.
    ModelPacker.packInPlace(ModelDirectory.open(dir), Collections.nCopies(layers, 4), 4, 16, l -> {});
    long fourBit = ResidentMemoryProbe.measure(dir, 4, layers);
    double ratio = (double) fourBit / fp32;
    System.out.printf("opt-125m resident memory: fp32 %.0f MiB, 4-bit %.0f MiB, ratio %.3f%n", fp32 / 1048576.0, fourBit / 1048576.0, ratio);
    assertThat(ratio).isLessThanOrEqualTo(0.35);
  }
}
