package io.dilemma.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.dilemma.contract.QualityMetric;
import io.dilemma.contract.ShardPlan;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What to serve, for which workload, within which quality budget, and where.
 *
 * <p>Defaults live in the schema (the API server fills them) and again in the compact constructors,
 * so objects built in code behave like objects read from the cluster. {@code unreadable} is set
 * only by {@link #unreadable(String)}; it is never serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LLMDeploymentSpec(
    @Required @JsonPropertyDescription("The model to serve and where its files and profile are.")
        ModelSpec model,
    @Required @JsonPropertyDescription("The request shape the plan is optimised for.")
        WorkloadSpec workload,
    @Required @JsonPropertyDescription("How much quality the quantization may cost.")
        QualitySpec quality,
    @Size(min = 1)
        @JsonPropertyDescription(
            "Weight bit widths the planner may choose per layer, each one of 2, 3, 4, 8, 16."
                + " Default: all five.")
        List<Integer> allowedBits,
    @Size(min = 1)
        @JsonPropertyDescription(
            "Values of rho the planner may choose at a cut between shards: the share of tokens"
                + " whose activations cross at 8 bits (the rest at 4), each in [0, 1]. Default:"
                + " 0, 0.1, 0.25, 0.5, 1.")
        List<Double> allowedRho,
    @JsonPropertyDescription(
            "How activations cross a cut between shards: tokenAdaptive (the share rho of tokens"
                + " at 8 bits, the rest at 4; lossy, priced by the profile) or full (every token at"
                + " 16 bits: lossless, so the chain serves exactly the single-process tokens)."
                + " Default: tokenAdaptive.")
        CutPrecision cutPrecision,
    @Required @JsonPropertyDescription("Which nodes may run layers and where requests arrive.")
        PlacementSpec placement,
    @JsonPropertyDescription("When an already running plan is replaced by a better one.")
        ReplanPolicySpec replanPolicy,
    @JsonPropertyDescription("Solver limits.") SolverSpec solver,
    @JsonPropertyDescription("The shard-worker container.") WorkerSpec worker,
    @JsonPropertyDescription("How the head shard serves the OpenAI API.") ServingSpec serving,
    @JsonIgnore String unreadable) {

  public static final List<Integer> SUPPORTED_BITS = List.of(2, 3, 4, 8, 16);
  public static final List<Double> DEFAULT_RHO = List.of(0.0, 0.1, 0.25, 0.5, 1.0);

  public LLMDeploymentSpec(
      ModelSpec model,
      WorkloadSpec workload,
      QualitySpec quality,
      List<Integer> allowedBits,
      List<Double> allowedRho,
      PlacementSpec placement,
      ReplanPolicySpec replanPolicy,
      SolverSpec solver,
      WorkerSpec worker) {
    this(model, workload, quality, allowedBits, allowedRho, null, placement, replanPolicy, solver, worker, null, null);
  }

  public LLMDeploymentSpec(
      ModelSpec model,
      WorkloadSpec workload,
      QualitySpec quality,
      List<Integer> allowedBits,
      List<Double> allowedRho,
      CutPrecision cutPrecision,
      PlacementSpec placement,
      ReplanPolicySpec replanPolicy,
      SolverSpec solver,
      WorkerSpec worker,
      String unreadable) {
    this(model, workload, quality, allowedBits, allowedRho, cutPrecision, placement, replanPolicy, solver, worker, null, unreadable);
  }

  /** How activations cross a cut between shards. */
  public enum CutPrecision {
    @JsonProperty("tokenAdaptive")
    TOKEN_ADAPTIVE,
    @JsonProperty("full")
    FULL
  }

  /**
   * A spec stored in the cluster that cannot be read into these types (say, a number beyond an
   * {@code int} accepted by an older, laxer schema). It stands in for the real spec so that one
   * such object becomes its own {@code InvalidSpec} instead of failing the informer that lists
   * every deployment.
   *
   * @param problem one line naming the field and the problem
   */
  public static LLMDeploymentSpec unreadable(String problem) {
    return new LLMDeploymentSpec(null, null, null, null, null, null, null, null, null, null, null, problem);
  }

  public LLMDeploymentSpec {
    allowedBits = allowedBits == null || allowedBits.isEmpty() ? SUPPORTED_BITS : List.copyOf(allowedBits);
    allowedRho = allowedRho == null || allowedRho.isEmpty() ? DEFAULT_RHO : List.copyOf(allowedRho);
    cutPrecision = cutPrecision == null ? CutPrecision.TOKEN_ADAPTIVE : cutPrecision;
    replanPolicy = replanPolicy == null ? new ReplanPolicySpec(null, null) : replanPolicy;
    solver = solver == null ? new SolverSpec(null) : solver;
    worker = worker == null ? new WorkerSpec(null, null) : worker;
    serving = serving == null ? new ServingSpec(null) : serving;
  }

  /**
   * @param name model name, used in metrics and the shard plan
   * @param profile ConfigMap holding the profile measured by {@code shard-worker profile}
   * @param source where workers fetch their shard files
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ModelSpec(
      @Required @JsonPropertyDescription("Model name, e.g. opt-350m.") String name,
      @Required
          @JsonPropertyDescription(
              "ConfigMap in this namespace holding the model profile JSON written by `shard-worker"
                  + " profile`.")
          ConfigMapKeyRef profile,
      @Required
          @JsonPropertyDescription(
              "Where shard-workers fetch the packed shard files: set exactly one of url or"
                  + " persistentVolumeClaim.")
          ShardSource source,
      @Pattern("^[0-9a-f]{64}$")
          @JsonPropertyDescription(
              "Hex SHA-256 of the model's manifest.json. The operator passes it to every"
                  + " shard-worker, which refuses a manifest with another hash, so files swapped"
                  + " behind the same source are never served.")
          String manifestSha256) {
    public ModelSpec(String name, ConfigMapKeyRef profile, ShardSource source) {
      this(name, profile, source, null);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ConfigMapKeyRef(
      @Required @JsonPropertyDescription("ConfigMap name.") String name,
      @Default("profile.json")
          @JsonPropertyDescription("Key holding the profile JSON. Default: profile.json.")
          String key) {
    public ConfigMapKeyRef {
      key = key == null ? "profile.json" : key;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShardSource(
      @Pattern("^https?://.+")
          @JsonPropertyDescription(
              "HTTPS URL of the model's shard directory (holds manifest.json); plain http only with"
                  + " insecure: true.")
          String url,
      @JsonPropertyDescription("A PersistentVolumeClaim holding the model's shard directory.")
          PvcSource persistentVolumeClaim,
      @JsonPropertyDescription(
              "Allow a plain http url, whose files anyone on the path can swap. Default: false.")
          Boolean insecure) {
    public ShardSource(String url, PvcSource persistentVolumeClaim) {
      this(url, persistentVolumeClaim, null);
    }

    public ShardSource {
      insecure = insecure != null && insecure;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PvcSource(
      @Required @JsonPropertyDescription("Claim name, in this namespace.") String claimName,
      @JsonPropertyDescription(
              "Directory inside the volume holding manifest.json, relative to its root; '..' is"
                  + " refused. Default: the root.")
          String path) {}

  public record WorkloadSpec(
      @Required
          @Min(1)
          @Max(1048576)
          @JsonPropertyDescription("Prompt tokens p (prefill).")
          int promptTokens,
      @Required
          @Min(1)
          @Max(1048576)
          @JsonPropertyDescription("Output tokens n, generated one at a time (decode).")
          int outputTokens,
      @Min(1)
          @Max(256)
          @Default("1")
          @JsonPropertyDescription(
              "Sessions decoding at once, batched through every shard: each decode step carries"
                  + " one token of each, and each keeps its own KV cache. The plan is made for this"
                  + " many; 1 plans for one request at a time.")
          Integer concurrency) {
    public WorkloadSpec {
      concurrency = concurrency == null ? 1 : concurrency;
    }

    /** One session at a time. */
    public WorkloadSpec(int promptTokens, int outputTokens) {
      this(promptTokens, outputTokens, 1);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record QualitySpec(
      @Required
          @Min(0)
          @Max(1e6)
          @JsonPropertyDescription(
              "Quality budget Q: the sum of the per-layer weight losses and per-cut activation"
                  + " losses, in the chosen metric, must stay at or below it.")
          double budget,
      @Default("normalizedError")
          @JsonPropertyDescription(
              "Which measured loss the budget constrains: normalizedError (the relative weight"
                  + " error proxy), klDivergence (nats) or deltaPerplexity.")
          QualityMetric metric) {
    public QualitySpec {
      metric = metric == null ? QualityMetric.NORMALIZED_ERROR : metric;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PlacementSpec(
      @JsonPropertyDescription("Only nodes with all these labels may run layers. Default: every node.")
          Map<String, String> nodeSelector,
      @Required
          @JsonPropertyDescription(
              "Node where requests arrive and answers return; the head shard runs there.")
          String originNode,
      @Default("true")
          @JsonPropertyDescription(
              "Keep the embedding and at least the first layer on the origin, so token ids never"
                  + " leave it. Default: true.")
          Boolean keepTokensOnOrigin) {
    public PlacementSpec {
      nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
      keepTokensOnOrigin = keepTokensOnOrigin == null || keepTokensOnOrigin;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ReplanPolicySpec(
      @Min(0)
          @Max(1)
          @Default("0.1")
          @JsonPropertyDescription(
              "A running plan is replaced only when a new one is predicted faster by at least this"
                  + " fraction (0.1: ten percent). Spec changes and infeasible plans always replan.")
          Double minRelativeImprovement,
      @Min(0)
          @Max(86400)
          @Default("60")
          @JsonPropertyDescription(
              "Seconds after a replan during which improvements alone do not trigger another one.")
          Integer stabilizationWindowSeconds) {
    public ReplanPolicySpec {
      minRelativeImprovement = minRelativeImprovement == null ? 0.1 : minRelativeImprovement;
      stabilizationWindowSeconds = stabilizationWindowSeconds == null ? 60 : stabilizationWindowSeconds;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SolverSpec(
      @Min(0.1)
          @Max(600)
          @Default("10")
          @JsonPropertyDescription("Wall-clock limit of one solve, in seconds.")
          Double timeLimitSeconds,
      @Default("jointIlp")
          @JsonPropertyDescription(
              "What decides the plan: jointIlp (placement and bits together, the default), or one"
                  + " of the baselines it is measured against: allOnOrigin16Bits, uniform8Bits"
                  + " (the ILP's placement at 8 bits), memoryProportional (exo's split) or"
                  + " bestSingleNode. A baseline is rolled out and reported like any plan.")
          Strategy strategy) {
    public SolverSpec(Double timeLimitSeconds) {
      this(timeLimitSeconds, null);
    }

    public SolverSpec {
      timeLimitSeconds = timeLimitSeconds == null ? 10.0 : timeLimitSeconds;
      strategy = strategy == null ? Strategy.JOINT_ILP : strategy;
    }
  }

  /** What decides the plan; see {@link SolverSpec#strategy()}. */
  public enum Strategy {
    @JsonProperty("jointIlp")
    JOINT_ILP,
    @JsonProperty("allOnOrigin16Bits")
    ALL_ON_ORIGIN_16_BITS,
    @JsonProperty("uniform8Bits")
    UNIFORM_8_BITS,
    @JsonProperty("memoryProportional")
    MEMORY_PROPORTIONAL,
    @JsonProperty("bestSingleNode")
    BEST_SINGLE_NODE
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WorkerSpec(
      @Default(WorkerSpec.DEFAULT_IMAGE)
          @JsonPropertyDescription("shard-worker container image.")
          String image,
      @JsonPropertyDescription(
              "Extra container resources (e.g. cpu). The memory request is always set from the"
                  + " plan.")
          ResourceRequirements resources) {
    public static final String DEFAULT_IMAGE = "ghcr.io/dilemma/shard-worker:0.1.0";

    public WorkerSpec {
      image = image == null ? DEFAULT_IMAGE : image;
    }
  }

  /** @param chatTemplate null: the shard-worker's default plain dialogue */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ServingSpec(
      @JsonPropertyDescription(
              "How POST /v1/chat/completions writes the messages as one prompt for a base model,"
                  + " which knows no roles. The operator hands it to the head shard in its plan, so"
                  + " a change replaces the head's pod. Default: system '{content}\\n\\n', user"
                  + " 'User: {content}\\n', assistant 'Assistant: {content}\\n', assistantPrefix"
                  + " 'Assistant:', stop ['\\nUser:'].")
          ChatTemplateSpec chatTemplate) {}

  /**
   * The API twin of {@link ShardPlan.ChatTemplate}, which holds the rules; this one adds the
   * schema's descriptions and what the API server can check itself.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ChatTemplateSpec(
      @Required
          @Pattern(CONTENT_PATTERN)
          @JsonPropertyDescription(
              "Format of a system (or developer) message; {content} stands for its text, e.g."
                  + " '{content}\\n\\n'.")
          String system,
      @Required
          @Pattern(CONTENT_PATTERN)
          @JsonPropertyDescription(
              "Format of a user message; {content} stands for its text, e.g. 'User: {content}\\n'.")
          String user,
      @Required
          @Pattern(CONTENT_PATTERN)
          @JsonPropertyDescription(
              "Format of an earlier assistant message; {content} stands for its text, e.g."
                  + " 'Assistant: {content}\\n'.")
          String assistant,
      @Required
          @JsonPropertyDescription(
              "Written after the last message to invite the reply, e.g. 'Assistant:'; may be"
                  + " empty.")
          String assistantPrefix,
      @JsonPropertyDescription(
              "Where a reply ends: the model starting the next turn itself, e.g. '\\nUser:'. Added"
                  + " to the request's own stop sequences; none may be empty. Default: none.")
          List<String> stop) {
    /** Unanchored, as the API server matches patterns: the format contains the placeholder. */
    static final String CONTENT_PATTERN = "\\{content\\}";

    public ChatTemplateSpec {
      stop = stop == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(stop));
    }

    /** The template as the head's shard plan carries it. */
    public ShardPlan.ChatTemplate toShardPlan() {
      return new ShardPlan.ChatTemplate(system, user, assistant, assistantPrefix, stop);
    }
  }
}
