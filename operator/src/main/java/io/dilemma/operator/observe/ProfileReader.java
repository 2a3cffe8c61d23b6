package io.dilemma.operator.observe;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ModelProfile;
import io.dilemma.planinput.InvalidInputException;
import io.dilemma.planinput.ProfileJson;
import io.dilemma.planner.ModelCosts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Reads the model profile from its ConfigMap and reduces it to planner costs. Pure. */
public final class ProfileReader {
  /** Why no costs could be read; the message names the ConfigMap, key or spec field. */
  public static class ProfileException extends Exception {
    public ProfileException(String message) {
      super(message);
    }
  }

  private final ProfileReduction reduction;

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
    ModelProfile profile;
    try {
      profile = ProfileJson.parse(json.getBytes(StandardCharsets.UTF_8));
    } catch (InvalidInputException e) {
      throw new ProfileException(where + " key '" + ref.key() + "' is not a model profile: " + e.getMessage());
    }
    List<String> problems = io.dilemma.operator.plan.SpecValidation.againstProfile(spec, profile);
    if (!problems.isEmpty()) throw new SpecExceedsProfileException(String.join("; ", problems));
    try {
      return reduction.reduce(profile, spec.quality().metric(), spec.allowedBits(), spec.allowedRho());
    } catch (IllegalArgumentException | InvalidInputException e) {
      throw new ProfileException(where + " key '" + ref.key() + "': " + e.getMessage());
    }
  }
}
