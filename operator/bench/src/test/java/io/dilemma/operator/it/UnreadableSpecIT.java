package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.bench.ExampleNodes;
import io.dilemma.operator.bench.SimulatedKubelet;
import io.dilemma.planinput.ModelCostsFromProfile;
import io.dilemma.planner.CpSatPlanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A deployment stored under an older, laxer schema whose spec no longer reads (a bit width beyond
 * an {@code int}) sits beside a good one. The informer lists both in one call; the bad one must
 * become its own {@code InvalidSpec}, and the good one must plan as usual.
 */
class UnreadableSpecIT {
  private static final long OVERHEAD = 128L << 20;
  private static final String NS = "default";
  private static final Path EXAMPLE = KubeTestEnvironment.REPO.resolve("deploy/examples");
  private static final Path CRD = KubeTestEnvironment.REPO.resolve("helm/dilemma/crds/llmdeployments.dilemma.io-v1.yml");

  @Test
  void oneUnreadableDeploymentNeitherStopsTheOperatorNorTheOthers() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start();
        SimulatedKubelet kubelet = new SimulatedKubelet(env.client(), Duration.ofMillis(200))) {
      ExampleNodes.register(env.client(), EXAMPLE.resolve("opt-350m-edge/cluster.yaml"), OVERHEAD);
      env.kubectl("apply", "-f", EXAMPLE.resolve("opt-350m-edgelinks.yaml").toString());
      env.kubectl("create", "configmap", "opt-350m-profile", "-n", NS,
          "--from-file=profile.json=" + EXAMPLE.resolve("opt-350m-edge/profile.json"));
      String example = Files.readString(EXAMPLE.resolve("opt-350m-llmdeployment.yaml"));

      // The schema as it was before bit widths were bounded: stores what no int can hold.
      Path lax = Files.createTempFile("llmd-crd-lax", ".yaml");
      Files.writeString(lax, Files.readString(CRD).replaceAll("(?m)^( *)enum:\\n(\\1- \\d+\\n)+", ""));
      assertThat(Files.readString(lax)).doesNotContain("- 16\n");
      env.kubectl("replace", "-f", lax.toString());
      Path bad = Files.createTempFile("llmd-unreadable", ".yaml");
      Files.writeString(bad, example.replace("name: opt-350m\nspec:", "name: unreadable\nspec:")
          .replace("  workload:", "  allowedBits: [4, 99999999999]\n  workload:"));
      env.kubectl("apply", "-n", NS, "-f", bad.toString());
      env.kubectl("replace", "-f", CRD.toString());
      env.kubectl("apply", "-n", NS, "-f", EXAMPLE.resolve("opt-350m-llmdeployment.yaml").toString());

      try (DilemmaOperator operator =
          DilemmaOperator.start(
              env.operatorClient(),
              new CpSatPlanner(),
              ModelCostsFromProfile::toModelCosts,
              new DilemmaOperator.Options(
                  Optional.empty(), -1, 2,
                  new LLMDeploymentReconciler.Settings(OVERHEAD, LinkReading.Freshness.defaults()), false))) {
        LLMDeployment good =
            Await.until("opt-350m Ready=True beside an unreadable deployment", Duration.ofSeconds(60),
                () -> env.client().resources(LLMDeployment.class).inNamespace(NS).withName("opt-350m").get(),
                d -> d != null && d.getStatus() != null
                    && d.getStatus().condition("Ready").map(c -> c.getStatus().equals("True")).orElse(false));
        assertThat(good.getStatus().plan().shards()).isNotEmpty();

        var unreadable = env.client().resources(LLMDeployment.class).inNamespace(NS).withName("unreadable");
        var events =
            Await.until("an InvalidSpec event on the unreadable deployment", Duration.ofSeconds(30),
                () -> env.client().v1().events().inNamespace(NS).list().getItems().stream()
                    .filter(e -> "unreadable".equals(e.getInvolvedObject().getName()))
                    .map(e -> e.getReason() + ": " + e.getMessage())
                    .toList(),
                list -> !list.isEmpty());
        assertThat(events).anyMatch(e -> e.startsWith("InvalidSpec: spec.allowedBits[1]: cannot be read"));
        // Its own spec is left as the user wrote it: the stand-in is never written back.
        assertThat(env.kubectl("get", "llmd", "unreadable", "-n", NS, "-o", "jsonpath={.spec.allowedBits}"))
            .contains("99999999999");
        assertThat(unreadable.get().getSpec().unreadable()).isNotNull();
        assertThat(unreadable.get().getStatus()).as("nothing is written to an object no write can pass").isNull();
      }
      Files.delete(lax);
      Files.delete(bad);
    }
  }
}
