package io.dilemma.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What the planner needs to know about a model, measured by {@code shard-worker profile} and read
 * by the operator from a ConfigMap (key {@value #CONFIG_MAP_KEY}) or by {@code dilemma plan} from a
 * file.
 *
 * <p>Layers are the transformer blocks, in order. The embedding always runs on the origin node;
 * the final LayerNorm + LM head runs with the last layer.
 *
 * @param schemaVersion contract version, currently {@value #SCHEMA_VERSION}
 * @param model human readable model name, e.g. {@code opt-350m}
 * @param architecture the shape the profile was measured on
 * @param embedding the token + positional embedding (kept on the origin)
 * @param head final LayerNorm + LM head (placed with the last layer)
 * @param layers one entry per decoder block, index 0..n-1
 * @param cuts activation-quantization costs of a cut after a layer, for each ρ measured
 * @param additivity how far the sum of per-layer losses is from the measured joint loss
 * @param timing times measured on the profiling machine; null when not measured, and the planner
 *     then prices compute by its roofline
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelProfile(
    int schemaVersion,
    String model,
    ModelArchitecture architecture,
    ComponentProfile embedding,
    ComponentProfile head,
    List<LayerProfile> layers,
    List<CutProfile> cuts,
    AdditivityCheck additivity,
    MeasuredTiming timing) {

  public static final int SCHEMA_VERSION = 1;
  public static final String CONFIG_MAP_KEY = "profile.json";

  public ModelProfile {
    layers = layers == null ? List.of() : List.copyOf(layers);
    cuts = cuts == null ? List.of() : List.copyOf(cuts);
  }

  /** A profile without measured times. */
  public ModelProfile(
      int schemaVersion,
      String model,
      ModelArchitecture architecture,
      ComponentProfile embedding,
      ComponentProfile head,
      List<LayerProfile> layers,
      List<CutProfile> cuts,
      AdditivityCheck additivity) {
    this(schemaVersion, model, architecture, embedding, head, layers, cuts, additivity, null);
  }

  public ModelProfile withTiming(MeasuredTiming measured) {
    return new ModelProfile(schemaVersion, model, architecture, embedding, head, layers, cuts, additivity, measured);
  }

  /**
   * Shape of an OPT-style decoder-only model.
   *
   * @param hiddenSize width d of the residual stream (what crosses a cut, per token)
   * @param wordEmbedDim width of the token embedding (OPT-350m projects 512↔1024)
   * @param preLayerNorm true for pre-LN blocks, false for post-LN (OPT-350m)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ModelArchitecture(
      int layers,
      int hiddenSize,
      int wordEmbedDim,
      int heads,
      int ffnSize,
      int vocabSize,
      int maxPositions,
      boolean preLayerNorm) {}

  /**
   * A part of the model that is not a decoder block.
   *
   * @param parameters number of weights
   * @param bytes resident bytes as stored (fp16 unless stated)
   * @param decodeFlopsPerToken FLOPs to process one token during decode
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ComponentProfile(long parameters, long bytes, double decodeFlopsPerToken) {}

  /**
   * One decoder block.
   *
   * @param index position in the model, from 0
   * @param parameters number of weights in the block
   * @param decodeFlopsPerToken FLOPs to process one new token with a KV cache
   * @param prefillFlopsPerToken FLOPs per prompt token during prefill (includes attention over the
   *     prompt, so it is the average over the prompt)
   * @param hiddenSize activation width leaving this layer, per token
   * @param kvBytesPerToken KV-cache bytes one token adds to this layer (keys + values, fp32)
   * @param bits cost of each weight bit width measured
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LayerProfile(
      int index,
      long parameters,
      double decodeFlopsPerToken,
      double prefillFlopsPerToken,
      int hiddenSize,
      long kvBytesPerToken,
      List<BitCost> bits) {
    public LayerProfile {
      bits = bits == null ? List.of() : List.copyOf(bits);
    }
  }

  /**
   * Memory and quality cost of storing one layer at {@code bits}.
   *
   * @param bits weight bit width (2, 3, 4, 8 or 16)
   * @param weightBytes packed bytes including group scales
   * @param quality the loss when only this layer is quantized
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record BitCost(int bits, long weightBytes, QualityCost quality) {}

  /**
   * Activation quantization cost at the cut after {@code afterLayer}.
   *
   * @param afterLayer index of the last layer before the cut
   * @param rho the quality cost for each measured ρ (share of tokens kept at 8 bits)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CutProfile(int afterLayer, List<RhoCost> rho) {
    public CutProfile {
      rho = rho == null ? List.of() : List.copyOf(rho);
    }
  }

  /** Quality cost of quantizing a cut's activations with top-ρ tokens at 8 bits, the rest at 4. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record RhoCost(double rho, QualityCost quality) {}

  /**
   * One loss, in each metric the profiler measured. A metric that was not measured is null.
   *
   * @param normalizedError for weights the paper's teacher–student proxy ‖W − Q_b(W)‖/‖W‖; for a
   *     cut the same ratio over the activations ‖x − Q(x)‖/‖x‖
   * @param klDivergence mean KL(teacher ‖ quantized) of the next-token distribution, in nats
   * @param deltaPerplexity perplexity of the quantized model minus the teacher's
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record QualityCost(double normalizedError, Double klDivergence, Double deltaPerplexity) {
    public double value(QualityMetric metric) {
      Double v =
          switch (metric) {
            case NORMALIZED_ERROR -> normalizedError;
            case KL_DIVERGENCE -> klDivergence;
            case DELTA_PERPLEXITY -> deltaPerplexity;
          };
      if (v == null) {
        throw new IllegalArgumentException("quality metric " + metric + " was not measured");
      }
      return v;
    }
  }

  /**
   * The planner assumes losses add up across layers; the profiler checks how true that is.
   *
   * @param metric the metric checked
   * @param samples how many multi-layer quantizations were compared
   * @param maxRelativeError max |measured − Σ per-layer| / measured over the samples
   * @param meanRelativeError mean of the same
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AdditivityCheck(
      QualityMetric metric, int samples, double maxRelativeError, double meanRelativeError) {}

  /**
   * Times the profiler measured on its own machine with the shard runtime's thread settings, the
   * layers loaded from the model directory as a shard loads them (per-layer graphs, MatMulNBits at
   * 4 and 8 bits). A node k runs them in {@code seconds × referenceFlopsPerSecond ÷ G_k}, G_k being
   * its {@code dilemma.io/gflops}: the figure of the same MatMul benchmark.
   *
   * @param referenceFlopsPerSecond the profiling machine's MatMul benchmark figure, FLOP/s
   * @param intraOpThreads the runtime's intra-op threads during the measurement
   * @param kvTokens KV-cache length each decode step was measured against
   * @param promptTokens prompt length prefill was measured at
   * @param layers per layer and bit width
   * @param headDecodeSeconds final LayerNorm + LM head on one token
   * @param stepOverheadSeconds what the head adds to every step beside the layers and the LM head:
   *     the embedding, sampling and detokenizing the token
   * @param hopOverheadSeconds the in-process part of a hop: quantizing, framing and unpacking one
   *     token's activation, and a hand-off to a waiting thread and back
   * @param hopRoundTripSeconds what one hop (a cut) adds to a decode step beside the link's bytes
   *     and latency, measured whole: one token's activation frame sent through the serving
   *     runtime's step stream to a second process on loopback and the token's reply back (codec,
   *     protobuf, HTTP/2 and TCP on both sides, the wake-ups at either end); null in a profile
   *     measured without it, and the planner then takes {@code hopOverheadSeconds}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record MeasuredTiming(
      double referenceFlopsPerSecond,
      int intraOpThreads,
      int kvTokens,
      int promptTokens,
      List<LayerTiming> layers,
      double headDecodeSeconds,
      double stepOverheadSeconds,
      double hopOverheadSeconds,
      Double hopRoundTripSeconds) {
    public MeasuredTiming {
      layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** Timing without a measured round trip. */
    public MeasuredTiming(
        double referenceFlopsPerSecond,
        int intraOpThreads,
        int kvTokens,
        int promptTokens,
        List<LayerTiming> layers,
        double headDecodeSeconds,
        double stepOverheadSeconds,
        double hopOverheadSeconds) {
      this(referenceFlopsPerSecond, intraOpThreads, kvTokens, promptTokens, layers, headDecodeSeconds, stepOverheadSeconds, hopOverheadSeconds, null);
    }

    public MeasuredTiming withHopRoundTrip(double seconds) {
      return new MeasuredTiming(
          referenceFlopsPerSecond, intraOpThreads, kvTokens, promptTokens, layers, headDecodeSeconds, stepOverheadSeconds, hopOverheadSeconds, seconds);
    }
  }

  /** Measured times of one decoder block, for each bit width measured. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record LayerTiming(int index, List<BitTiming> bits) {
    public LayerTiming {
      bits = bits == null ? List.of() : List.copyOf(bits);
    }
  }

  /**
   * @param decodeSeconds median seconds of one decode step (one token against {@code kvTokens})
   * @param prefillSecondsPerToken median seconds of prefilling {@code promptTokens}, ÷ their number
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record BitTiming(int bits, double decodeSeconds, double prefillSecondsPerToken) {}
}
