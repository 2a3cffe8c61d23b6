package io.dilemma.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.demo.DemoCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/dilemma demo} as a user runs it, on the running local cluster (the script's part,
 * bringing the cluster up and down, is CI's): the plan served, real completions timed, the fault
 * seen by the probers, the replan rolled out with no failed request, the report written, and
 * nothing of the demo left behind.
 */
class DemoE2E {
  @Test
  void theDemoPlansServesReplansAfterAFaultAndLeavesNothingBehind() throws Exception {
    LocalCluster cluster = LocalCluster.fromSystemProperties();
    Path report = ServingOnRealKubernetes.REPO.resolve("deploy/local-cluster/target/demo-e2e");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var line = DilemmaCommandLine.of(new DemoCommand());
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute("--kubeconfig", cluster.kubeconfig().toString(), "--requests", "2", "--report", report.toString(),
        "--repository", ServingOnRealKubernetes.REPO.toString());
    System.out.println(out);
    assertThat(exit).as("exit code; stderr: %s", err).isZero();
    assertThat(out.toString())
        .contains("the probers measured every node and link")
        .contains("serving; the operator's plan:")
        .contains("the baselines, and the plan, priced on one reading")
        .contains("first plan: median")
        .contains("the probers saw it")
        .doesNotContain("a request failed during the replan")
        // the operator replans when a plan is faster by the policy's margin, else keeps its plan and says so
        .satisfiesAnyOf(
            o -> assertThat(o).contains("the new plan serves; the old pods are gone").containsPattern(" [0-9]+ requests during the replan, 0 failed;"),
            o -> assertThat(o).contains("the operator kept plan").containsPattern(" [0-9]+ requests meanwhile, 0 failed"));
    assertThat(Files.readString(report.resolve("report.html"))).contains("Predicted and measured completion time, per plan")
        .contains("Replan timeline");
    try {
      assertThat(cluster.client().namespaces().withName("demo").get()).as("the demo's namespace").isNull();
      assertThat(cluster.client().namespaces().withName("dilemma-system").get()).as("the chart's namespace").isNull();
    } finally {
      cluster.close();
    }
  }
}
