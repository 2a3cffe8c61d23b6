package io.dilemma.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.contract.ModelProfile;
import io.dilemma.operator.Fixtures;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

/** Specs that plan but whose objects the API server would refuse (issue 12, defects 7 and 6). */
class SpecValidationTest {
  private final LLMDeploymentSpec good = Fixtures.spec("a", 0.5);

  @Test
  void aGoodSpecAndNameHaveNoProblems() {
    assertThat(SpecValidation.problems("chat", good)).isEmpty();
  }

  @Test
  void aNameTooLongForALabelIsRefused() {
    assertThat(SpecValidation.problems("a".repeat(64), good))
        .singleElement().asString().startsWith("metadata.name: 64 characters");
    assertThat(SpecValidation.problems("a".repeat(63), good)).isEmpty();
  }

  @Test
  void aDotOrALeadingDigitIsNotADns1035ServiceName() {
    assertThat(SpecValidation.problems("chat.v2", good)).singleElement().asString().contains("DNS-1035");
    assertThat(SpecValidation.problems("2chat", good)).singleElement().asString().contains("DNS-1035");
  }

  private static LLMDeploymentSpec withResources(io.fabric8.kubernetes.api.model.ResourceRequirements r) {
    var s = Fixtures.spec("a", 0.5);
    return new LLMDeploymentSpec(s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        s.placement(), s.replanPolicy(), s.solver(), new LLMDeploymentSpec.WorkerSpec(null, r));
  }

  @Test
  void badQuantitiesAreRefused() {
    var spec = withResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("lots")).build());
    assertThat(SpecValidation.problems("chat", spec))
        .singleElement().asString().startsWith("spec.worker.resources.requests.cpu: 'lots'");
  }

  @Test
  void aLimitBelowItsRequestIsRefused() {
    var spec = withResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("2")).addToLimits("cpu", new Quantity("500m")).build());
    assertThat(SpecValidation.problems("chat", spec))
        .containsExactly("spec.worker.resources.limits.cpu: 500m is below the request 2");
    var equal = withResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("500m")).addToLimits("cpu", new Quantity("0.5")).build());
    assertThat(SpecValidation.problems("chat", equal)).isEmpty();
  }

  private static LLMDeploymentSpec withSource(LLMDeploymentSpec.ShardSource source) {
    var s = Fixtures.spec("a", 0.5);
    var model = new LLMDeploymentSpec.ModelSpec(s.model().name(), s.model().profile(), source);
    return new LLMDeploymentSpec(model, s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        s.placement(), s.replanPolicy(), s.solver(), s.worker());
  }

  @Test
  void plainHttpNeedsInsecure() {
    assertThat(SpecValidation.problems("chat", withSource(new LLMDeploymentSpec.ShardSource("http://m/x", null))))
        .singleElement().asString().startsWith("spec.model.source.url: plain http is refused");
    assertThat(SpecValidation.problems("chat", withSource(new LLMDeploymentSpec.ShardSource("http://m/x", null, true))))
        .isEmpty();
  }

  @Test
  void aPvcPathWithDotDotIsRefused() {
    var pvc = new LLMDeploymentSpec.PvcSource("claim", "../../dir");
    assertThat(SpecValidation.problems("chat", withSource(new LLMDeploymentSpec.ShardSource(null, pvc))))
        .singleElement().asString().contains("contains '..'");
    var fine = new LLMDeploymentSpec.PvcSource("claim", "models/..opt");
    assertThat(SpecValidation.problems("chat", withSource(new LLMDeploymentSpec.ShardSource(null, fine)))).isEmpty();
  }

  @Test
  void aWorkloadBeyondTheModelsPositionsIsRefused() {
    var arch = new ModelProfile.ModelArchitecture(2, 64, 64, 2, 256, 100, 95, true);
    var profile = new ModelProfile(1, "m", arch, null, null, null, null, null);
    // the fixture's workload is 64 + 32 = 96 tokens
    assertThat(SpecValidation.againstProfile(good, profile))
        .containsExactly("spec.workload: promptTokens + outputTokens = 96 exceeds the model's maxPositions 95"
            + " (profile architecture.maxPositions)");
    var roomy = new ModelProfile(1, "m", new ModelProfile.ModelArchitecture(2, 64, 64, 2, 256, 100, 96, true),
        null, null, null, null, null);
    assertThat(SpecValidation.againstProfile(good, roomy)).isEmpty();
  }

  /**
   * On a 1.20 API server an empty string must be nullable to be refused with a message that shows
   * it (issue 12: {@code Invalid value: "null"}), so an explicit null reaches the operator.
   */
  @Test
  void aMissingOrEmptyRequiredStringIsNamed() {
    var s = Fixtures.spec("a", 0.5);
    var noName = new LLMDeploymentSpec.ModelSpec(null, new LLMDeploymentSpec.ConfigMapKeyRef(" ", null), s.model().source());
    var spec = new LLMDeploymentSpec(noName, s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        new LLMDeploymentSpec.PlacementSpec(null, "", true), s.replanPolicy(), s.solver(), s.worker());
    assertThat(SpecValidation.problems("chat", spec))
        .containsExactly("spec.model.name: missing", "spec.model.profile.name: is empty", "spec.placement.originNode: is empty");
    var noClaim = new LLMDeploymentSpec.PvcSource("", null);
    assertThat(SpecValidation.problems("chat", withSource(new LLMDeploymentSpec.ShardSource(null, noClaim))))
        .containsExactly("spec.model.source.persistentVolumeClaim.claimName: is empty");
  }

  private static LLMDeploymentSpec withChatTemplate(LLMDeploymentSpec.ChatTemplateSpec template) {
    var s = Fixtures.spec("a", 0.5);
    return new LLMDeploymentSpec(s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(), s.cutPrecision(),
        s.placement(), s.replanPolicy(), s.solver(), s.worker(), new LLMDeploymentSpec.ServingSpec(template), null);
  }

  @Test
  void aChatTemplateRoleWithoutItsContentIsRefusedNamingTheField() {
    var spec = withChatTemplate(new LLMDeploymentSpec.ChatTemplateSpec("{content}\n", "User:\n", "A: {content}", "A:", null));
    assertThat(SpecValidation.problems("chat", spec))
        .containsExactly("spec.serving.chatTemplate.user: must contain {content}, got \"User:\\n\"");
  }

  /** Stored under an older schema, or set to an explicit null, which the schema lets through. */
  @Test
  void aMissingPrefixOrAnEmptyStopIsRefusedButAnEmptyPrefixIsNot() {
    var spec = withChatTemplate(new LLMDeploymentSpec.ChatTemplateSpec(
        "{content}", "{content}", "{content}", null, java.util.List.of("\n", "")));
    assertThat(SpecValidation.problems("chat", spec))
        .containsExactly(
            "spec.serving.chatTemplate.assistantPrefix: missing (\"\" for none)",
            "spec.serving.chatTemplate.stop[1]: is empty");
    var bare = withChatTemplate(new LLMDeploymentSpec.ChatTemplateSpec("{content}", "{content}", "{content}", "", null));
    assertThat(SpecValidation.problems("chat", bare)).isEmpty();
  }
}
