package io.dilemma.demo;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.PlanStatus;
import io.dilemma.localcluster.EdgeTopology;
import io.dilemma.localcluster.Poll;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the demo waits for and reads back: the probers' measurements, the plan, its Events. The
 * closed-loop experiment waits for the same things of its own deployment.
 */
public final class ServingWatch {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String operatorNamespace;

  public ServingWatch(KubernetesClient client, String namespace, String name, String operatorNamespace) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.operatorNamespace = operatorNamespace;
  }

  /** Every node's compute and every directed link measured by the probers, nothing typed. */
  public void awaitMeasuredEdge(Duration timeout) throws InterruptedException {
    int nodes = client.nodes().list().getItems().size();
    int pairs = nodes * (nodes - 1);
    Poll.until(timeout, "every node's compute and every link measured by the probers", () -> {
      boolean computed = client.nodes().list().getItems().stream()
          .allMatch(n -> n.getMetadata().getLabels().containsKey("dilemma.io/gflops"));
      long links = client.resources(EdgeLink.class).list().getItems().stream()
          .filter(l -> l.getStatus() != null && "probe".equals(l.getStatus().source())).count();
      return computed && links >= pairs ? Boolean.TRUE : null;
    }, this::measuredEdge);
  }

  /** The nodes' and links' figures as measured, beside the caps and rates the cluster script set. */
  public String measuredEdge() {
    StringBuilder b = new StringBuilder("  node               GFLOP/s  memory GB/s  CPU cap (cores)  available\n");
    for (Node n : client.nodes().list().getItems()) {
      var labels = n.getMetadata().getLabels();
      var annotations = n.getMetadata().getAnnotations();
      b.append(String.format(Locale.ROOT, "  %-18s %-8s %-12s %-16s %s%n", n.getMetadata().getName(),
          labels.getOrDefault("dilemma.io/gflops", "-"), labels.getOrDefault("dilemma.io/memory-bandwidth-gbps", "-"),
          EdgeTopology.CPU_CORES.getOrDefault(n.getMetadata().getName(), Double.NaN),
          annotations == null ? "-" : annotations.getOrDefault(CpuHog.ANNOTATION, "-")));
    }
    b.append("  link                                measured    shaped     RTT       source\n");
    for (EdgeLink l : client.resources(EdgeLink.class).list().getItems().stream()
        .sorted(Comparator.comparing(l -> l.getMetadata().getName())).toList()) {
      String shaped = EdgeTopology.LINKS.stream().filter(p -> p.joins(l.getSpec().from(), l.getSpec().to()))
          .map(p -> String.format(Locale.ROOT, "%.0f", p.mbps())).findFirst().orElse("-");
      b.append(String.format(Locale.ROOT, "  %-34s %8.1f Mbit/s %6s %6.2f ms  %s%n", l.getMetadata().getName(),
          l.getSpec().bandwidthMbps(), shaped, l.getSpec().rttMillis(), l.getStatus() == null ? "-" : l.getStatus().source()));
    }
    return b.toString();
  }

  double measuredMbps(String link) {
    EdgeLink l = client.resources(EdgeLink.class).withName(link).get();
    return l == null ? Double.NaN : l.getSpec().bandwidthMbps();
  }

  LLMDeployment deployment() {
    return client.resources(LLMDeployment.class).inNamespace(namespace).withName(name).get();
  }

  /** The current generation planned: the plan, or why no plan exists (the Planned condition). */
  public Optional<String> awaitPlannedOrRefused(Duration timeout) throws InterruptedException {
    return Poll.until(timeout, "LLMDeployment " + namespace + "/" + name + " planned", () -> {
      LLMDeployment d = deployment();
      if (d == null || d.getStatus() == null) return null;
      var planned = d.getStatus().condition("Planned").orElse(null);
      if (planned == null || !d.getMetadata().getGeneration().equals(planned.getObservedGeneration())) return null;
      if ("False".equals(planned.getStatus())) return Optional.of(planned.getReason() + ": " + planned.getMessage());
      var plan = d.getStatus().plan();
      return plan != null && d.getMetadata().getGeneration().equals(plan.plannedGeneration()) ? Optional.<String>empty() : null;
    }, () -> String.valueOf(deployment() == null ? null : deployment().getStatus()));
  }

  /** Ready for the current generation, the head serving the desired plan, no pod of an older plan left. */
  public PlanStatus awaitServing(Duration timeout) throws InterruptedException {
    return Poll.until(timeout, "LLMDeployment " + namespace + "/" + name + " serving its plan", () -> {
      LLMDeployment d = deployment();
      if (d == null || d.getStatus() == null || d.getStatus().plan() == null) return null;
      var st = d.getStatus();
      // an earlier spec's plan keeps serving, Ready, when the current spec has no plan
      boolean ready = d.getMetadata().getGeneration().equals(st.observedGeneration())
          && d.getMetadata().getGeneration().equals(st.plan().plannedGeneration())
          && st.plan().planId().equals(st.servingPlanId())
          && st.condition("Ready").map(c -> "True".equals(c.getStatus()) && "AllShardsAvailable".equals(c.getReason())).orElse(false);
      boolean oldGone = client.pods().inNamespace(namespace).withLabel("dilemma.io/deployment", name).list().getItems()
          .stream().allMatch(p -> st.plan().planId().equals(p.getMetadata().getLabels().get("dilemma.io/plan")));
      return ready && oldGone ? st.plan() : null;
    }, () -> {
      LLMDeployment d = deployment();
      return d == null || d.getStatus() == null ? "no status" : d.getStatus().conditions().stream()
          .map(c -> c.getType() + "=" + c.getStatus() + " " + c.getReason()).toList().toString();
    });
  }

  /** A plan other than {@code planId} once the operator has written one, or empty after the timeout. */
  public Optional<PlanStatus> awaitPlanOtherThan(String planId, Duration timeout) throws InterruptedException {
    try {
      return Optional.of(Poll.until(timeout, "a plan other than " + planId, () -> {
        var st = deployment().getStatus();
        return st.plan() != null && !st.plan().planId().equals(planId) ? st.plan() : null;
      }));
    } catch (IllegalStateException none) {
      return Optional.empty();
    }
  }

  /** The leading operator's last word on keeping a plan (its log), as {@code kubectl logs} shows it. */
  public String keptPlanReason() {
    String marker = namespace + "/" + name + ": running plan";
    for (var pod : client.pods().inNamespace(operatorNamespace).withLabel("app.kubernetes.io/component", "operator").list().getItems()) {
      String log = client.pods().inNamespace(operatorNamespace).withName(pod.getMetadata().getName()).tailingLines(4000).getLog();
      var kept = log.lines().filter(l -> l.contains(marker)).reduce((a, b) -> b);
      if (kept.isPresent()) return kept.get().substring(kept.get().indexOf(marker) + namespace.length() + name.length() + 3);
    }
    return "no plan predicted faster by the replan policy's margin";
  }

  /** The operator's Events about the deployment, oldest first, as {@code kubectl describe} lists them. */
  List<String> events() {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && "LLMDeployment".equals(e.getInvolvedObject().getKind()))
        .sorted(Comparator.comparing(ServingWatch::when))
        .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage())
        .toList();
  }

  String condition(String type) {
    LLMDeployment d = deployment();
    return d == null || d.getStatus() == null ? "-" : d.getStatus().condition(type)
        .map((Condition c) -> c.getStatus() + " " + c.getReason()).orElse("-");
  }

  private static String when(Event e) {
    return e.getLastTimestamp() != null ? e.getLastTimestamp() : String.valueOf(e.getFirstTimestamp());
  }
}
