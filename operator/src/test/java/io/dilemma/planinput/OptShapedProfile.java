package io.dilemma.planinput;

import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import io.dilemma.contract.ModelProfile.BitCost;
import io.dilemma.contract.ModelProfile.ComponentProfile;
import io.dilemma.contract.ModelProfile.CutProfile;
import io.dilemma.contract.ModelProfile.LayerProfile;
import io.dilemma.contract.ModelProfile.ModelArchitecture;
import io.dilemma.contract.ModelProfile.QualityCost;
import io.dilemma.contract.ModelProfile.RhoCost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An interim {@link ModelProfile} derived from an OPT shape alone, for tests and for the examples
 * until {@code shard-worker profile} writes measured ones.
 *
 * <ul>
 *   <li>Parameters, FLOPs and bytes are exact for the OPT block: 4·d² + 4d attention, 2·d·f + f + d
 *       feed-forward, 4d LayerNorm. Decode FLOPs = 2·P + 4·d·{@value #DECODE_CONTEXT} (attention
 *       over a typical context); prefill FLOPs per token = 2·P + 4·d·{@value #PREFILL_CONTEXT}.
 *   <li>KV cache per token: keys + values in fp32, 8·d bytes.
 *   <li>Packed bytes at b bits: matrices at b/8 bytes per weight plus one fp16 scale and zero point
 *       per group of 128, biases and LayerNorm in fp16.
 *   <li>normalizedError is sampled (seeded) around the error of round-to-nearest group quantization,
 *       ≈ 2^(1−b) × 0.85, with the first and last blocks 1.5× more sensitive. Cut costs follow
 *       the 4-bit per-token activation error blended towards the 8-bit one as ρ grows.
 * </ul>
 *
 * Run {@link #main} to (re)write a profile: {@code <name> <layers> <hidden> <ffn> <heads> <vocab>
 * <wordEmbedDim> <out>}.
 */
public final class OptShapedProfile {
  static final int DECODE_CONTEXT = 256;
  static final int PREFILL_CONTEXT = 128;
  private static final int[] BITS = {2, 3, 4, 8, 16};
  private static final double[] RHOS = {0.0, 0.1, 0.25, 0.5, 1.0};

  private OptShapedProfile() {}

  public static ModelProfile create(
      String name, int layers, int d, int ffn, int heads, int vocab, int wordEmbedDim, long seed) {
    Random random = new Random(seed);
    long matrices = 4L * d * d + 2L * d * ffn;
    long vectors = 4L * d + ffn + d + 4L * d;
    long params = matrices + vectors;
    List<LayerProfile> blocks = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      double sensitivity = (i == 0 || i == layers - 1 ? 1.5 : 1.0) * (0.8 + 0.4 * random.nextDouble());
      List<BitCost> bits = new ArrayList<>();
      for (int b : BITS) {
        long bytes = b == 16 ? 2 * params : matrices * b / 8 + matrices / 128 * 4 + 2 * vectors;
        double error = b == 16 ? 0 : Math.pow(2, 1 - b) * 0.85 * sensitivity;
        bits.add(new BitCost(b, bytes, new QualityCost(error, null, null)));
      }
      blocks.add(
          new LayerProfile(
              i,
              params,
              2.0 * params + 4.0 * d * DECODE_CONTEXT,
              2.0 * params + 4.0 * d * PREFILL_CONTEXT,
              d,
              8L * d,
              bits));
    }
    List<CutProfile> cuts = new ArrayList<>();
    for (int c = -1; c < layers - 1; c++) {
      double scale = 0.8 + 0.4 * random.nextDouble();
      List<RhoCost> rho = new ArrayList<>();
      for (double r : RHOS) {
        double error = scale * ((1 - r) * (1 - r) * 0.06 + r * 0.004);
        rho.add(new RhoCost(r, new QualityCost(error, null, null)));
      }
      cuts.add(new CutProfile(c, rho));
    }
    long embedParams = (long) vocab * wordEmbedDim + 2050L * d + (wordEmbedDim != d ? (long) wordEmbedDim * d : 0);
    long headParams = (long) vocab * wordEmbedDim + (wordEmbedDim != d ? (long) d * wordEmbedDim : 0);
    return new ModelProfile(
        ModelProfile.SCHEMA_VERSION,
        name,
        new ModelArchitecture(layers, d, wordEmbedDim, heads, ffn, vocab, 2048, wordEmbedDim == d),
        new ComponentProfile(embedParams, 2 * embedParams, 0),
        new ComponentProfile(headParams, 2 * headParams, 2.0 * headParams),
        blocks,
        cuts,
        null);
  }

  public static void main(String[] args) throws IOException {
    ModelProfile profile =
        create(
            args[0],
            Integer.parseInt(args[1]),
            Integer.parseInt(args[2]),
            Integer.parseInt(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            Integer.parseInt(args[6]),
            42);
    Files.writeString(Path.of(args[7]), ContractJson.write(profile) + "\n");
  }
}
