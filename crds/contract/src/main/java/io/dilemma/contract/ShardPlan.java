package io.dilemma.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
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
    ServingLimits limits) {

  public static final int SCHEMA_VERSION = 1;
  public static final String CONFIG_MAP_KEY = "shard.json";

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
}
