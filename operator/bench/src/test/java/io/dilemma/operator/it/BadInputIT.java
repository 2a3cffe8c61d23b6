package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentSpec;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.operator.plan.WorkerImagePolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Specs the schema accepts but the operator cannot roll out, on a real API server under the chart's
 * RBAC: each ends as a condition naming the problem, never as retries until exhaustion.
 */
class BadInputIT {
  static final String NS = "default";

  static KubeTestEnvironment env;
  static KubernetesClient admin;
  static SimulatedKubelet kubelet;
  static DilemmaOperator operator;

  @BeforeAll
  static void start() throws Exception {
    env = KubeTestEnvironment.start();
    admin = env.client();
    Opt350mExample.registerNodesAndLinks(env);
    Opt350mExample.createProfile(env, NS);
    kubelet = new SimulatedKubelet(admin, Duration.ofMillis(300));
    var settings =
        LLMDeploymentReconciler.Settings.defaults().withWorkerImages(new WorkerImagePolicy(List.of("ghcr.io/dilemma/shard-worker:*")));
    operator = DilemmaOperator.start(env.operatorClient(), new DilemmaOperator.Options(Optional.empty(), 0, 2, settings, true));
  }

  @AfterAll
  static void stop() throws Exception {
    if (operator != null) operator.close();
    if (kubelet != null) kubelet.close();
    if (env != null) env.close();
  }

  private static LLMDeployment example(String name) throws Exception {
    try (InputStream in = new FileInputStream(Opt350mExample.DEPLOYMENT.toFile())) {
      LLMDeployment d = admin.resources(LLMDeployment.class).load(in).item();
      d.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
      return d;
    }
  }

  private static LLMDeploymentSpec withWorker(LLMDeploymentSpec s, LLMDeploymentSpec.WorkerSpec worker) {
    return new LLMDeploymentSpec(s.model(), s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        s.placement(), s.replanPolicy(), s.solver(), worker);
  }

  private static Condition await(String name, String type, String reason) {
    LLMDeployment d =
        Await.until(name + " " + type + " reason " + reason, Duration.ofSeconds(60),
            () -> admin.resources(LLMDeployment.class).inNamespace(NS).withName(name).get(),
            x -> x.getStatus() != null
                && x.getStatus().condition(type).map(c -> c.getReason().equals(reason)).orElse(false));
    return d.getStatus().condition(type).orElseThrow();
  }

  /** Not pre-validated: the API server's own refusal (an extended resource needs a limit). */
  @Test
  void aRolloutTheApiServerRefusesIsReadyFalseWithItsMessage() throws Exception {
    LLMDeployment d = example("widget");
    d.setSpec(withWorker(d.getSpec(), new LLMDeploymentSpec.WorkerSpec(null,
        new ResourceRequirementsBuilder().addToRequests("example.com/widget", new Quantity("1")).build())));
    admin.resource(d).create();
    Condition ready = await("widget", "Ready", "RolloutFailed");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getMessage()).startsWith("Rolling out plan ").contains("Limit must be set");
    // the plan itself is fine, and says so
    assertThat(await("widget", "Planned", "Solved").getStatus()).isEqualTo("True");
  }

  @Test
  void aNameTooLongForALabelIsAnInvalidSpecBeforeAnyRollout() throws Exception {
    String name = "a".repeat(64);
    admin.resource(example(name)).create();
    Condition planned = await(name, "Planned", "InvalidSpec");
    assertThat(planned.getMessage()).contains("metadata.name: 64 characters");
    assertThat(admin.apps().deployments().inNamespace(NS).list().getItems())
        .noneMatch(x -> x.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getName().equals(name)));
    // and it can be deleted: the cleanup never asks for a label selector no API server accepts
    admin.resources(LLMDeployment.class).inNamespace(NS).withName(name).delete();
    Await.until(name + " deleted", Duration.ofSeconds(30),
        () -> admin.resources(LLMDeployment.class).inNamespace(NS).withName(name).get() == null, gone -> gone);
  }

  @Test
  void aDotInTheNameIsAnInvalidSpec() throws Exception {
    admin.resource(example("chat.v2")).create();
    assertThat(await("chat.v2", "Planned", "InvalidSpec").getMessage()).contains("DNS-1035");
  }

  @Test
  void aLimitBelowItsRequestIsAnInvalidSpec() throws Exception {
    LLMDeployment d = example("cpu-limit");
    d.setSpec(withWorker(d.getSpec(), new LLMDeploymentSpec.WorkerSpec(null,
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("2")).addToLimits("cpu", new Quantity("1")).build())));
    admin.resource(d).create();
    assertThat(await("cpu-limit", "Planned", "InvalidSpec").getMessage())
        .isEqualTo("spec.worker.resources.limits.cpu: 1 is below the request 2");
  }

  @Test
  void anImageOutsideTheAllowListIsNotPlanned() throws Exception {
    LLMDeployment d = example("miner");
    d.setSpec(withWorker(d.getSpec(), new LLMDeploymentSpec.WorkerSpec("evil.example/miner:latest", null)));
    admin.resource(d).create();
    Condition planned = await("miner", "Planned", "ImageNotAllowed");
    assertThat(planned.getStatus()).isEqualTo("False");
    assertThat(planned.getMessage()).startsWith("spec.worker.image: 'evil.example/miner:latest' is not in");
    assertThat(await("miner", "Ready", "NotPlanned").getStatus()).isEqualTo("False");
  }

  /**
   * A running deployment edited to an image off the allow-list: the edit is refused, and the
   * running plan's pods keep the image they had. Before, the refused spec's image was written into
   * the running plan's Deployments, so the allow-list held only for a deployment's first plan.
   */
  @Test
  void anEditToAnImageOutsideTheAllowListLeavesTheRunningShardsOnTheirImage() throws Exception {
    admin.resource(example("edited")).create();
    await("edited", "Ready", "AllShardsAvailable");
    List<String> before = shardImages("edited");
    assertThat(before).isNotEmpty().allMatch(shard -> shard.contains("=ghcr.io/dilemma/shard-worker:"));
    LLMDeployment d = admin.resources(LLMDeployment.class).inNamespace(NS).withName("edited").get();
    d.setSpec(withWorker(d.getSpec(), new LLMDeploymentSpec.WorkerSpec("evil.example/miner:latest", null)));
    admin.resource(d).update();
    assertThat(await("edited", "Planned", "ImageNotAllowed").getMessage()).startsWith("spec.worker.image: 'evil.example/miner:latest'");
    // a few more reconciles (the simulated kubelet's status writes trigger them)
    Thread.sleep(2000);
    assertThat(shardImages("edited")).isEqualTo(before);
    assertThat(await("edited", "Ready", "AllShardsAvailable").getStatus()).as("the running plan still serves").isEqualTo("True");
  }

  private static List<String> shardImages(String owner) {
    return admin.apps().deployments().inNamespace(NS).list().getItems().stream()
        .filter(x -> x.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getName().equals(owner)))
        .map(x -> x.getMetadata().getName() + "=" + x.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .sorted()
        .toList();
  }

  @Test
  void plainHttpWithoutInsecureIsAnInvalidSpec() throws Exception {
    LLMDeployment d = example("plain-http");
    var s = d.getSpec();
    var model = new LLMDeploymentSpec.ModelSpec(s.model().name(), s.model().profile(),
        new LLMDeploymentSpec.ShardSource("http://models.example/opt", null));
    d.setSpec(new LLMDeploymentSpec(model, s.workload(), s.quality(), s.allowedBits(), s.allowedRho(),
        s.placement(), s.replanPolicy(), s.solver(), s.worker()));
    admin.resource(d).create();
    assertThat(await("plain-http", "Planned", "InvalidSpec").getMessage())
        .startsWith("spec.model.source.url: plain http is refused");
  }

  /** The example YAML as another deployment, with {@code edit} applied to its text; kubectl's exit code and output. */
  private static KubeTestEnvironment.KubectlResult applyExample(
      String name, java.util.function.UnaryOperator<String> edit, String... flags) throws Exception {
    String yaml = java.nio.file.Files.readString(Opt350mExample.EXAMPLES.resolve("opt-350m-llmdeployment.yaml"))
        .replace("metadata:\n  name: opt-350m\n", "metadata:\n  name: " + name + "\n");
    java.nio.file.Path file = java.nio.file.Files.createTempFile(name, ".yaml");
    java.nio.file.Files.writeString(file, edit.apply(yaml));
    List<String> args = new java.util.ArrayList<>(List.of("apply", "-n", NS, "-f", file.toString()));
    args.addAll(List.of(flags));
    return env.tryKubectl(args.toArray(String[]::new));
  }

  /**
   * Issue 12: an empty string was refused as {@code Invalid value: "null": ... must be of type
   * string: "null"}, which shows neither the value nor the problem; now the message names the field
   * and shows the empty value. A label value may be empty, as Kubernetes allows.
   */
  @Test
  void anEmptyStringIsRefusedNamingTheFieldAndShowingItEmpty() throws Exception {
    KubeTestEnvironment.KubectlResult refused =
        applyExample("empty-model", yaml -> yaml.replace("    name: opt-350m\n", "    name: \"\"\n"));
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output())
        .contains("spec.model.name: Invalid value: \"\": spec.model.name in body should be at least 1 chars long")
        .doesNotContain("\"null\"");
    assertThat(applyExample("empty-label", yaml -> yaml.replace("dilemma.io/pool: office", "dilemma.io/pool: \"\""), "--dry-run=server").exitCode())
        .isZero();
  }

  /** The price of a readable empty-string message on 1.20: an explicit null passes the schema. */
  @Test
  void anExplicitNullForARequiredStringIsAnInvalidSpec() throws Exception {
    assertThat(applyExample("null-name", yaml -> yaml.replace("    name: opt-350m\n", "    name: null\n")).exitCode()).isZero();
    assertThat(await("null-name", "Planned", "InvalidSpec").getMessage()).isEqualTo("spec.model.name: missing");
  }
}
