package io.dilemma.operator.observe;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ModelProfile;
import io.dilemma.planinput.InvalidInputException;
import io.dilemma.planinput.ProfileJson;
import io.dilemma.planner.ModelCosts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Reads the model profile from its ConfigMap and reduces it to planner costs. Remembers the last
 * profile parsed from each ConfigMap: a reconcile that finds the same version (uid and
 * resourceVersion) does not parse its JSON again, which was a tenth of a reconcile's CPU.
 */
public final class ProfileReader {
  /** Why no costs could be read; the message names the ConfigMap, key or spec field. */
  public static class ProfileException extends Exception {
    public ProfileException(String message) {
      super(message);
    }
  }

  private final ProfileReduction reduction;
  /** The last profile parsed, by namespace/name of its ConfigMap. */
  private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();

  /** A profile and the ConfigMap version and key it was parsed from. */
  private record Parsed(String uid, String resourceVersion, String key, ModelProfile profile) {
    boolean of(ConfigMap configMap, String key) {
      var meta = configMap.getMetadata();
      return uid.equals(meta.getUid()) && resourceVersion.equals(meta.getResourceVersion()) && this.key.equals(key);
    }
  }

  /** The profile is fine; the spec asks for more than the model can do. */
  public static final class SpecExceedsProfileException extends ProfileException {
    public SpecExceedsProfileException(String message) {
      super(message);
    }
  }

  public ProfileReader(ProfileReduction reduction) {
    this.reduction = reduction;
  }

  /**
   * @param configMap the ConfigMap named by {@code ref}, or null when it does not exist
   */
  public ModelCosts costs(
      String namespace, LLMDeploymentSpec.ConfigMapKeyRef ref, ConfigMap configMap, LLMDeploymentSpec spec)
      throws ProfileException {
    String where = "ConfigMap " + namespace + "/" + ref.name();
    if (configMap == null) {
      throw new ProfileException(where + " (spec.model.profile.name) does not exist");
    }
    String json = configMap.getData() == null ? null : configMap.getData().get(ref.key());
    if (json == null) {
      throw new ProfileException(where + " has no key '" + ref.key() + "' (spec.model.profile.key)");
    }
    ModelProfile profile = profile(namespace, ref, configMap, json, where);
    List<String> problems = io.dilemma.operator.plan.SpecValidation.againstProfile(spec, profile);
    if (!problems.isEmpty()) throw new SpecExceedsProfileException(String.join("; ", problems));
    try {
      return reduction.reduce(profile, spec.quality().metric(), spec.allowedBits(), spec.allowedRho());
    } catch (IllegalArgumentException | InvalidInputException e) {
      throw new ProfileException(where + " key '" + ref.key() + "': " + e.getMessage());
    }
  }

  private ModelProfile profile(
      String namespace, LLMDeploymentSpec.ConfigMapKeyRef ref, ConfigMap configMap, String json, String where)
      throws ProfileException {
    String cacheKey = namespace + "/" + ref.name();
    Parsed last = parsed.get(cacheKey);
    if (last != null && last.of(configMap, ref.key())) return last.profile();
    ModelProfile profile;
    try {
      profile = ProfileJson.parse(json.getBytes(StandardCharsets.UTF_8));
    } catch (InvalidInputException e) {
      throw new ProfileException(where + " key '" + ref.key() + "' is not a model profile: " + e.getMessage());
    }
    var meta = configMap.getMetadata();
    // A ConfigMap that was never stored (no version) cannot be told apart from its next edit.
    if (meta != null && meta.getUid() != null && meta.getResourceVersion() != null) {
      parsed.put(cacheKey, new Parsed(meta.getUid(), meta.getResourceVersion(), ref.key(), profile));
    }
    return profile;
  }
}
