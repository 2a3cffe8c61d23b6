package io.dilemma.operator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.api.LLMDeployment;
import io.dilemma.operator.DilemmaOperator;
import io.dilemma.operator.LLMDeploymentReconciler;
import io.dilemma.operator.bench.SimulatedKubelet;
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
  private static final String NS = "default";
  private static final Path CRD = KubeTestEnvironment.REPO.resolve("helm/dilemma/crds/llmdeployments.dilemma.io-v1.yml");

  @Test
  void oneUnreadableDeploymentNeitherStopsTheOperatorNorTheOthers() throws Exception {
    try (KubeTestEnvironment env = KubeTestEnvironment.start();
        SimulatedKubelet kubelet = new SimulatedKubelet(env.client(), Duration.ofMillis(200))) {
      Opt350mExample.registerNodesAndLinks(env);
      Opt350mExample.createProfile(env, NS);
      String example = Files.readString(Opt350mExample.DEPLOYMENT);

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
      env.kubectl("apply", "-n", NS, "-f", Opt350mExample.DEPLOYMENT.toString());

      try (DilemmaOperator operator =
          DilemmaOperator.start(
              env.operatorClient(),
              new DilemmaOperator.Options(Optional.empty(), -1, 2, LLMDeploymentReconciler.Settings.defaults(), false))) {
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
