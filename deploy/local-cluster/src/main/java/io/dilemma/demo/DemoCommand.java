package io.dilemma.demo;

import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanLinkStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.commandline.DilemmaCommand;
import io.dilemma.commandline.DilemmaCommandLine;
import io.dilemma.commandline.ExitCode;
import io.dilemma.localcluster.EdgeTopology;
import io.dilemma.localcluster.Poll;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deploy/dilemma demo}: the whole loop on the local cluster, as a user would drive it. The
 * script brings the cluster up; this shapes its links and caps its CPUs, installs the chart with
 * the probers, waits for their measurements, applies an LLMDeployment of the trained opt-fortunes
 * model, prints the plan, the baselines' predictions and real completions timed against the
 * prediction, then throttles the plan's busiest link tenfold and shows the replan and the recovery
 * while a client keeps asking. It ends with an HTML report.
 */
@Command(name = "demo", description = "Run the whole loop on the local cluster: plan, serve, throttle a link, replan.")
public final class DemoCommand extends DilemmaCommand {
  @Option(names = "--kubeconfig", description = "kubeconfig of a running deploy/local-cluster/cluster up (default: ~/.dilemma/local-cluster/kubeconfig)")
  Path kubeconfig = Path.of(System.getProperty("user.home"), ".dilemma/local-cluster/kubeconfig");

  @Option(names = "--prompt", description = "the prompt of every completion (default: a fortune's opening)")
  String prompt = "A novice asked the Master:";

  @Option(names = "--output-tokens", description = "tokens each completion generates, the workload's outputTokens (default 32)")
  int outputTokens = 32;

  @Option(names = "--requests", description = "timed completions per plan (default 3)")
  int requests = 3;

  @Option(names = "--report", description = "directory of the report (default: deploy/local-cluster/target/demo of the repository)")
  Path reportDir;

  @Option(names = "--repository", description = "the Dilemma repository: its chart, model, cluster script and jars (default: the working directory)")
  Path repository = Path.of("");

  @Option(names = "--keep", description = "leave the cluster up with the chart, the deployment and the fault in place, for kubectl")
  boolean keep;

  @Option(names = "--image-tag", description = "tag of the local images (default 0.1.0-SNAPSHOT)")
  String imageTag = "0.1.0-SNAPSHOT";

  @Option(names = "--started-at", description = "epoch milliseconds the demo began (the script passes it, cluster up included)")
  Long startedAt;

  private Progress progress;
  private Path repo;
  /** When the last timed completions began, epoch seconds: the window read back from Prometheus. */
  private double timedFrom;
  private final DemoReport report = new DemoReport();

  public static void main(String[] args) {
    // fabric8 warns on every v1alpha1 type it is asked for: noise in a demo's output
    System.setProperty("org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils", "error");
    System.exit(DilemmaCommandLine.of(new DemoCommand()).execute(args));
  }

  @Override
  protected int execute() throws Exception {
    CommandLine line = spec.commandLine();
    if (requests < 1) throw new CommandLine.ParameterException(line, "--requests: must be at least 1, not " + requests);
    if (outputTokens < 1 || outputTokens > 200) throw new CommandLine.ParameterException(line, "--output-tokens: must be 1 to 200, not " + outputTokens);
    if (!Files.isRegularFile(kubeconfig)) {
      throw new CommandLine.ParameterException(line, "--kubeconfig: " + kubeconfig + " does not exist; run deploy/local-cluster/cluster up");
    }
    repo = repository.toAbsolutePath();
    if (!Files.isRegularFile(repo.resolve("deploy/local-cluster/cluster"))) {
      throw new CommandLine.ParameterException(line, "--repository: " + repo + " has no deploy/local-cluster/cluster (deploy/dilemma demo runs from the repository)");
    }
    if (reportDir == null) reportDir = repo.resolve("deploy/local-cluster/target/demo");
    progress = new Progress(out(), startedAt == null ? Instant.now() : Instant.ofEpochMilli(startedAt));
    Path state = kubeconfig.toAbsolutePath().getParent();
    DemoModel model = DemoModel.prepare(repo, Path.of(System.getProperty("user.home"), ".dilemma/demo"), progress);
    int promptTokens = model.promptTokens(repo, prompt);
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      DemoInstall install = new DemoInstall(client, repo, kubeconfig, imageTag);
      EdgeTopology edge = new EdgeTopology(repo);
      // Ctrl-C or a kill must not leave the deployment, its busy-loop pod or the chart in the
      // cluster's etcd: they would come back with the next cluster up and take its nodes' CPU
      AtomicBoolean cleaned = new AtomicBoolean(keep);
      Thread onSignal = new Thread(() -> {
        if (!cleaned.compareAndSet(false, true)) return;
        try {
          cleanUp(install, edge);
        } catch (Exception e) {
          err().println("demo: cleaning up after a signal: " + e.getMessage());
        }
      }, "demo-cleanup");
      Runtime.getRuntime().addShutdownHook(onSignal);
      try {
        return run(client, install, edge, model, state, promptTokens);
      } finally {
        if (keep) {
          progress.step("--keep: everything stays; KUBECONFIG=%s kubectl -n %s get llmd", kubeconfig, DemoInstall.NAMESPACE);
        } else if (cleaned.compareAndSet(false, true)) {
          cleanUp(install, edge);
        }
        try {
          Runtime.getRuntime().removeShutdownHook(onSignal);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs or has run
        }
      }
    }
  }

  private void cleanUp(DemoInstall install, EdgeTopology edge) throws Exception {
    progress.step("removing the deployment, the chart and the shaping");
    install.uninstall();
    edge.clear();
  }

  private int run(KubernetesClient client, DemoInstall install, EdgeTopology edge, DemoModel model, Path state, int promptTokens)
      throws Exception {
    install.removeLeftovers();
    edge.apply();
    progress.step("links shaped and CPUs capped (the cluster script's tc and cgroups):");
    progress.block(edge.show());
    install.crds();
    install.forgetTypedFigures();
    install.chart();
    progress.step("chart installed (operator, probers); no figure typed in: waiting for the probers' measurements");
    try (DemoPrometheus prometheus = DemoPrometheus.start(client, repo.resolve("helm/dilemma"), reportDir.toAbsolutePath())) {
      progress.step("Prometheus scraping the operator, the probers and the shard-workers: %s (open it while the demo runs)", prometheus.url());
      return serve(client, install, edge, model, state, promptTokens, prometheus);
    }
  }

  private int serve(KubernetesClient client, DemoInstall install, EdgeTopology edge, DemoModel model, Path state, int promptTokens,
      DemoPrometheus prometheus) throws Exception {
    ServingWatch watch = new ServingWatch(client, DemoInstall.NAMESPACE, DemoInstall.NAME, DemoInstall.SYSTEM_NAMESPACE);
    watch.awaitMeasuredEdge(Duration.ofMinutes(5));
    progress.step("the probers measured every node and link:");
    progress.block(watch.measuredEdge());

    install.namespace(model.profileJson(), model.publish(state));
    LLMDeployment wanted = install.deployment(promptTokens, outputTokens);
    install.apply(wanted);
    progress.step("applied LLMDeployment %s/%s: %s, prompt %d tokens, output %d, KL budget %s",
        DemoInstall.NAMESPACE, DemoInstall.NAME, DemoModel.NAME, promptTokens, outputTokens, wanted.getSpec().quality().budget());
    var refused = watch.awaitPlannedOrRefused(Duration.ofMinutes(3));
    if (refused.isPresent()) {
      err().println("demo: no plan for " + DemoInstall.NAMESPACE + "/" + DemoInstall.NAME + ": " + refused.get());
      return ExitCode.NO_PLAN;
    }
    PlanStatus plan = watch.awaitServing(Duration.ofMinutes(8));
    List<PlanLinkStatus> links = watch.deployment().getStatus().links();
    progress.step("serving; the operator's plan:");
    progress.block(PlanTable.render(plan, links));

    var comparison = BaselinePredictions.price(client, watch.deployment(), repo.resolve("helm/dilemma"));
    report.baselines(comparison.baselines());
    double now = comparison.runningPlanSeconds();
    progress.step("the baselines, and the plan, priced on one reading of the measured cluster by the same evaluator (the plan: %.3f s now):", now);
    for (var b : comparison.baselines()) {
      progress.block(b.totalSeconds() == null
          ? String.format(Locale.ROOT, "  %-24s no plan: %s", b.strategy(), b.refusal())
          : String.format(Locale.ROOT, "  %-24s %8.3f s  %5.2f× the plan's  %s", b.strategy(), b.totalSeconds(),
              b.totalSeconds() / now, b.layout()));
    }

    CompletionClient completions = new CompletionClient(client, DemoInstall.NAMESPACE, DemoInstall.NAME);
    report.plan(timeCompletions(completions, "first plan", plan, plan.predicted().totalSeconds(), true, prometheus));
    progress.step("%s", prometheus.completionQuantiles(DemoInstall.NAMESPACE, DemoInstall.NAME, timedFrom, requests));
    degrade(client, watch, edge, completions, plan, links);
    Path page = report.write(reportDir.toAbsolutePath());
    progress.step("report: %s", page);
    progress.step("done in %.0f s", progress.secondsSinceStart());
    return ExitCode.OK;
  }

  /**
   * A warm-up request, then {@code requests} timed ones, each printed beside the prediction.
   *
   * @param predicted the seconds the measured ones are set against
   * @param prometheus when given, the timed requests wait until it has scraped the warm-up's, so
   *     that the window read back from it holds the timed ones only
   */
  private DemoReport.Measured timeCompletions(CompletionClient completions, String label, PlanStatus plan, double predicted,
      boolean showText, DemoPrometheus prometheus) throws Exception {
    var warm = completions.complete(prompt, outputTokens);
    progress.step("first request %.3f s (JIT and ONNX Runtime warm up; not counted)", warm.seconds());
    if (showText) progress.block("  " + prompt + warm.text().replace("\n", "\n  "));
    if (prometheus != null) prometheus.awaitCompletionsScraped(DemoInstall.NAMESPACE, DemoInstall.NAME, 1);
    List<Double> seconds = new ArrayList<>();
    timedFrom = System.currentTimeMillis() / 1e3;
    for (int i = 0; i < requests; i++) {
      var a = completions.complete(prompt, outputTokens);
      if (a.completionTokens() != outputTokens) {
        throw new IllegalStateException("the head generated " + a.completionTokens() + " tokens, not " + outputTokens);
      }
      seconds.add(a.seconds());
      progress.step("completion %d: %d tokens in %.3f s, predicted %.3f s (measured ÷ predicted %.2f)",
          i + 1, a.completionTokens(), a.seconds(), predicted, a.seconds() / predicted);
    }
    DemoReport.Measured m = new DemoReport.Measured(label + " " + plan.planId(), PlanTable.layout(plan), predicted, new CompletionTimes(seconds));
    progress.step("%s: median %.3f s, p90 %.3f s against %.3f s predicted (%.2f)", label, m.times().median(), m.times().p90(), predicted,
        m.times().median() / predicted);
    return m;
  }

  /**
   * The plan's slowest activation hop throttled tenfold, or, when the plan crosses no link, someone
   * else's busy loops on its node; for real, while a client keeps asking. The probers see it, the
   * operator replans, the new pods take over.
   */
  private void degrade(KubernetesClient client, ServingWatch watch, EdgeTopology edge, CompletionClient completions,
      PlanStatus before, List<PlanLinkStatus> links) throws Exception {
    var busiest = links.stream().filter(l -> !l.to().equals(DemoInstall.ORIGIN) && l.bandwidthMbps() != null)
        .min(Comparator.comparingDouble(PlanLinkStatus::bandwidthMbps)).orElse(null);
    Fault fault = busiest != null
        ? new LinkThrottle(edge, watch, busiest.from(), busiest.to())
        : new CpuHog(client, DemoInstall.NAMESPACE, before.shards().get(0).node(), "dilemma/shard-worker:" + imageTag, "1500m");
    int eventsBefore = watch.events().size();
    Instant inflicted = Instant.now();
    SteadyClient asking = new SteadyClient("demo-client", () -> completions.complete(prompt, outputTokens), Duration.ofSeconds(1),
        e -> progress.step("a request failed during the replan: %s", e.getMessage()));
    fault.inflict();
    asking.start();
    try {
      progress.step("%s; a client keeps asking, one request a second", fault.describe());
      String seen = Poll.until(Duration.ofMinutes(5), "the probers seeing it", fault::detected, watch::measuredEdge);
      mark("probers saw it", inflicted);
      progress.step("the probers saw it: %s", seen);
      var replanned = watch.awaitPlanOtherThan(before.planId(), Duration.ofMinutes(2));
      if (replanned.isEmpty()) {
        // the operator priced the running plan with the new figures and found none better by the
        // policy's margin: a result, shown as such, with the times it gives now
        progress.step("the operator kept plan %s: %s", before.planId(), watch.keptPlanReason());
        asking.stop();
        PlanStatus kept = watch.awaitServing(Duration.ofMinutes(1));
        // the kept plan's own prediction is the one it was planned with, before the fault: its
        // times now are set against the plan repriced on the measurements the fault moved
        double repriced = BaselinePredictions.price(client, watch.deployment(), repo.resolve("helm/dilemma")).runningPlanSeconds();
        progress.step("the kept plan repriced on the probers' new figures: %.3f s (planned with %.3f s)", repriced,
            kept.predicted().totalSeconds());
        report.plan(timeCompletions(completions, "kept under the fault", kept, repriced, false, null));
        long failed = reportSamples(asking, inflicted);
        headline(String.format(Locale.ROOT, "%s: probers %.0f s; the plan kept; %d requests meanwhile, %d failed",
            fault.describe(), report.markedAt("probers saw it"), asking.samples().size(), failed));
        return;
      }
      PlanStatus after = replanned.get();
      mark("new plan", inflicted);
      var st = watch.deployment().getStatus();
      progress.step("replanned (%s); Degraded %s:", st.lastReplanReason(), watch.condition("Degraded"));
      watch.events().stream().skip(eventsBefore).forEach(e -> progress.block("  event " + e));
      progress.block(PlanTable.render(after, st.links()));
      after = watch.awaitServing(Duration.ofMinutes(8));
      mark("new plan serving", inflicted);
      progress.step("the new plan serves; the old pods are gone");
      asking.stop();
      report.plan(timeCompletions(completions, "after the fault", after, after.predicted().totalSeconds(), false, null));
      mark("measured on the new plan", inflicted);
      long failed = reportSamples(asking, inflicted);
      headline(String.format(Locale.ROOT,
          "%s: probers %.0f s, new plan %.0f s, serving %.0f s after it; %d requests during the replan, %d failed; predicted %.3f -> %.3f s",
          fault.describe(), report.markedAt("probers saw it"), report.markedAt("new plan"), report.markedAt("new plan serving"),
          asking.samples().size(), failed, before.predicted().totalSeconds(), after.predicted().totalSeconds()));
    } finally {
      asking.stop();
    }
  }

  private void mark(String what, Instant inflicted) {
    report.mark(what, secondsSince(inflicted, Instant.now()));
  }

  /** The requests of the client that ran through the fault into the report; returns how many failed. */
  private long reportSamples(SteadyClient asking, Instant inflicted) {
    List<SteadyClient.Sample> samples = asking.samples();
    report.samples(samples.stream().map(x -> new DemoReport.Sample(secondsSince(inflicted, x.ended()), x.seconds(), x.failed())).toList());
    return samples.stream().filter(SteadyClient.Sample::failed).count();
  }

  private void headline(String line) {
    report.headline(line);
    progress.step("%s", line);
  }

  private static double secondsSince(Instant start, Instant end) {
    return Duration.between(start, end).toMillis() / 1e3;
  }
}
