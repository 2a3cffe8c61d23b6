package io.dilemma.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The configuration of one shard-worker: what the operator writes into the shard's ConfigMap (key
 * {@value #CONFIG_MAP_KEY}) and {@code shard-worker serve --plan} reads.
 *
 * <p>Shards form a chain: shard 0 is the head on the origin node (embedding, its layers, the
 * OpenAI-compatible API); hidden states flow forward shard by shard; the last shard runs the
 * final LayerNorm + LM head, samples, and returns the token to the head.
 *
 * @param schemaVersion contract version, currently {@value #SCHEMA_VERSION}
 * @param deployment name of the owning LLMDeployment (metric label)
 * @param namespace namespace of the owning LLMDeployment (metric label); null where there is none,
 *     as for local processes
 * @param planId identifies the plan generation; all shards of one rollout share it
 * @param shardIndex position in the chain, from 0
 * @param shardCount number of shards in the chain
 * @param node the Kubernetes node the shard is pinned to
 * @param model where the shard files come from
 * @param firstLayer first decoder layer (inclusive); -1 with {@code lastLayer} -1 for none
 * @param lastLayer last decoder layer (inclusive)
 * @param layerBits weight bits of each layer from firstLayer to lastLayer, in order
 * @param head true for shard 0: holds the embedding and serves the HTTP API
 * @param lmHead true for the last shard: runs the final LayerNorm + LM head and samples
 * @param nextShard gRPC address host:port of the next shard, null for the last
 * @param headAddress unset: the head runs no gRPC server, tokens return along the chain's
 *     responses (kept so that older plans still read)
 * @param outgoingCut activation quantization at the cut to the next shard, null for the last
 * @param keepTokensOnOrigin no token id or embedding output may leave the head
 * @param limits serving limits
 * @param chatTemplate how the head writes {@code /v1/chat/completions} messages as one prompt;
 *     set on the head only, and null for the worker's default (or its {@code --chat-template})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShardPlan(
    int schemaVersion,
    String deployment,
    String namespace,
    String planId,
    int shardIndex,
    int shardCount,
    String node,
    ModelSource model,
    int firstLayer,
    int lastLayer,
    List<Integer> layerBits,
    boolean head,
    boolean lmHead,
    String nextShard,
    String headAddress,
    CutQuantization outgoingCut,
    boolean keepTokensOnOrigin,
    ServingLimits limits,
    ChatTemplate chatTemplate) {

  public static final int SCHEMA_VERSION = 1;
  public static final String CONFIG_MAP_KEY = "shard.json";

  /** A plan without a chat template: the head uses the worker's default. */
  public ShardPlan(
      int schemaVersion,
      String deployment,
      String namespace,
      String planId,
      int shardIndex,
      int shardCount,
      String node,
      ModelSource model,
      int firstLayer,
      int lastLayer,
      List<Integer> layerBits,
      boolean head,
      boolean lmHead,
      String nextShard,
      String headAddress,
      CutQuantization outgoingCut,
      boolean keepTokensOnOrigin,
      ServingLimits limits) {
    this(schemaVersion, deployment, namespace, planId, shardIndex, shardCount, node, model, firstLayer, lastLayer,
        layerBits, head, lmHead, nextShard, headAddress, outgoingCut, keepTokensOnOrigin, limits, null);
  }

  public ShardPlan {
    layerBits = layerBits == null ? List.of() : List.copyOf(layerBits);
  }

  public int layerCount() {
    return firstLayer < 0 ? 0 : lastLayer - firstLayer + 1;
  }

  /**
   * Where a worker finds the model's shard directory.
   *
   * @param name model name
   * @param uri {@code file:///path}, {@code http(s)://...} or {@code pvc://claim/path}
   * @param manifestSha256 expected hash of the manifest; null skips the check
   * @param fileSha256 expected hash per file this shard loads, relative path → hex sha256
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ModelSource(
      String name, String uri, String manifestSha256, Map<String, String> fileSha256) {}

  /**
   * Token-adaptive activation quantization at a cut: the top-ρ tokens by attention received get
   * {@code highBits}, the rest {@code lowBits}; 16 means no quantization.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CutQuantization(double rho, int highBits, int lowBits) {
    public static CutQuantization none() {
      return new CutQuantization(1.0, 16, 16);
    }

    /** Mean bits per activation value at this cut: {@code high·ρ + low·(1−ρ)}. */
    public double averageBits() {
      return highBits * rho + lowBits * (1 - rho);
    }
  }

  /**
   * @param kvCacheBytes bound on this worker's KV cache across sessions, in bytes; the operator
   *     sets it to the KV bytes the plan reserved for this shard
   * @param sessionTtlSeconds idle sessions older than this are evicted
   * @param requestTimeoutMillis how long the head waits on the chain before failing a request
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ServingLimits(long kvCacheBytes, long sessionTtlSeconds, long requestTimeoutMillis) {
    public static ServingLimits defaults() {
      return new ServingLimits(256L << 20, 300, 5000);
    }
  }

  /**
   * How chat messages become one prompt for a base model, which knows no roles: each message is
   * written with its role's format, {@value #CONTENT} standing for its text, then {@code
   * assistantPrefix} invites the reply; generation stops at any of {@code stop}, where the model
   * starts writing the next turn itself. Read leniently, like the rest of the plan; {@link
   * #problems()} holds the rules, which the operator checks before writing a plan and the worker
   * again before serving one.
   */
  // No ignoreUnknown here: ContractJson reads plans leniently anyway, and the worker's
  // --chat-template reader refuses a misspelt key instead of serving without it.
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ChatTemplate(String system, String user, String assistant, String assistantPrefix, List<String> stop) {
    public static final String CONTENT = "{content}";

    public ChatTemplate {
      // Not List.copyOf: a null entry must reach problems(), which names it.
      stop = stop == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(stop));
    }

    /**
     * Each problem one line, naming the field relative to the template ({@code user: ...}): a
     * format without {@value #CONTENT} would drop the message's text, a missing prefix leaves the
     * reply uninvited, and an empty stop sequence would end every reply before its first token.
     */
    public List<String> problems() {
      List<String> problems = new ArrayList<>();
      checkFormat("system", system, problems);
      checkFormat("user", user, problems);
      checkFormat("assistant", assistant, problems);
      if (assistantPrefix == null) problems.add("assistantPrefix: missing (\"\" for none)");
      for (int i = 0; i < stop.size(); i++) {
        if (stop.get(i) == null || stop.get(i).isEmpty()) problems.add("stop[" + i + "]: is empty");
      }
      return problems;
    }

    private static void checkFormat(String field, String format, List<String> problems) {
      if (format == null) problems.add(field + ": missing");
      else if (!format.contains(CONTENT)) problems.add(field + ": must contain " + CONTENT + ", got " + quoted(format));
    }

    /** On one line, so the problem stays one line. */
    private static String quoted(String text) {
      return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"") + '"';
    }
  }
}
