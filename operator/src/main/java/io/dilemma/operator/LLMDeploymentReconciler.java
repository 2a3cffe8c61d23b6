package io.dilemma.operator;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.LLMDeployment;
import io.dilemma.api.LLMDeploymentStatus;
import io.dilemma.api.PlanStatus;
import io.dilemma.operator.http.OperatorMetrics;
import io.dilemma.operator.observe.ClusterObservation;
import io.dilemma.operator.observe.ClusterObserver;
import io.dilemma.operator.observe.LinkReading;
import io.dilemma.operator.observe.MemoryLedger;
import io.dilemma.operator.observe.OtherPodRequests;
import io.dilemma.operator.observe.ProfileReader;
import io.dilemma.operator.observe.ProfileReduction;
import io.dilemma.operator.observe.PrometheusLinkSource;
import io.dilemma.operator.observe.ShardSet;
import io.dilemma.operator.plan.PlanningOutcome;
import io.dilemma.operator.plan.PlanningStep;
import io.dilemma.operator.plan.SpecValidation;
import io.dilemma.operator.plan.WorkerImagePolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.dilemma.operator.rollout.ShardNames;
import io.dilemma.operator.rollout.ShardResources;
import io.dilemma.operator.rollout.RolloutFailure;
import io.dilemma.operator.rollout.ShardRollout;
import io.dilemma.operator.status.StatusAggregator;
import io.dilemma.planner.ModelCosts;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The thin reconcile of an LLMDeployment: observe, plan (when the policy says so), roll out, report.
 * Each step lives in its own class; this one only wires them to the informer caches and the API.
 */
@ControllerConfiguration(name = LLMDeploymentReconciler.NAME)
public class LLMDeploymentReconciler implements Reconciler<LLMDeployment>, Cleaner<LLMDeployment> {
  public static final String NAME = "llmdeployment";
  /** Profile ConfigMaps with this label (any value) are watched; others are read on demand. */
  public static final String PROFILE_LABEL = "dilemma.io/profile";
  /** How soon a refused rollout is tried again without a new event. */
  static final Duration ROLLOUT_RETRY = Duration.ofSeconds(60);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LLMDeploymentReconciler.class);

  /**
   * @param shardOverheadBytes memory a shard-worker needs beyond its planned weights and KV cache
   * @param freshness how long EdgeLink measurements stay trusted, and what replaces stale ones
   * @param linkMetrics a Prometheus whose measurements replace EdgeLinks per direction, if any
   * @param linkMetricsInterval how often to ask it (Prometheus sends no events)
   * @param workerImages which shard-worker images deployments may run
   */
  public record Settings(
      long shardOverheadBytes,
      LinkReading.Freshness freshness,
      Optional<PrometheusLinkSource.Config> linkMetrics,
      Duration linkMetricsInterval,
      WorkerImagePolicy workerImages) {
    public Settings(
        long shardOverheadBytes,
        LinkReading.Freshness freshness,
        Optional<PrometheusLinkSource.Config> linkMetrics,
        Duration linkMetricsInterval) {
      this(shardOverheadBytes, freshness, linkMetrics, linkMetricsInterval, WorkerImagePolicy.any());
    }

    public Settings withWorkerImages(WorkerImagePolicy images) {
      return new Settings(shardOverheadBytes, freshness, linkMetrics, linkMetricsInterval, images);
    }

    /** Links from EdgeLinks only. */
    public Settings(long shardOverheadBytes, LinkReading.Freshness freshness) {
      this(shardOverheadBytes, freshness, Optional.empty(), Duration.ofSeconds(30));
    }

    public static Settings defaults() {
      return new Settings(128L << 20, LinkReading.Freshness.defaults());
    }
  }

  private final Settings settings;
  private final ProfileReader profiles;
  private final PlanningStep planning;
  private final MemoryLedger ledger;
  private final OperatorMetrics metrics;
  private final Clock clock;
  private final PrometheusLinkSource linkMetrics;
  private io.fabric8.kubernetes.client.KubernetesClient client;
  private ShardRollout rollout;
  private ReconcileReporter reporter;
  private InformerEventSource<Node, LLMDeployment> nodes;
  private InformerEventSource<EdgeLink, LLMDeployment> links;
  private InformerEventSource<ConfigMap, LLMDeployment> configMaps;
  private InformerEventSource<Pod, LLMDeployment> otherPods;

  public LLMDeploymentReconciler(
      io.dilemma.planner.Planner planner,
      ProfileReduction profileReduction,
      Settings settings,
      MemoryLedger ledger,
      OperatorMetrics metrics,
      Clock clock) {
    this.settings = settings;
    this.profiles = new ProfileReader(profileReduction);
    this.planning = new PlanningStep(planner, settings.shardOverheadBytes());
    this.ledger = ledger;
    this.metrics = metrics;
    this.clock = clock;
    this.linkMetrics = settings.linkMetrics().map(PrometheusLinkSource::new).orElse(null);
  }

  @Override
  public List<EventSource<?, LLMDeployment>> prepareEventSources(
      EventSourceContext<LLMDeployment> context) {
    var client = context.getClient();
    this.client = client;
    reporter = new ReconcileReporter(new EventRecorder(client), metrics);
    // The shard Services, cached so that a reconcile finds their ClusterIPs without a GET each.
    // Their events trigger no reconcile, as before the cache: a Service no plan changed is no
    // reason to reconcile, and one deleted by hand is written again at the next reconcile.
    var services =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Service.class, LLMDeployment.class)
                .withLabelSelector(ShardNames.LABEL_MANAGED_BY + "=" + ShardNames.MANAGED_BY)
                .withSecondaryToPrimaryMapper(s -> Set.of())
                .build(),
            context);
    rollout =
        new ShardRollout(
            client,
            new ShardResources(settings.shardOverheadBytes()),
            (namespace, name) -> services.get(new ResourceID(name, namespace)));
    var deployments =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Deployment.class, LLMDeployment.class)
                .withLabelSelector(ShardNames.LABEL_MANAGED_BY + "=" + ShardNames.MANAGED_BY)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(LLMDeployment.class))
                .build(),
            context);
    // Any node or link can change any deployment's best plan. Both are cluster-scoped, so they are
    // watched cluster-wide whichever namespaces the deployments are watched in.
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, LLMDeployment.class)
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withSecondaryToPrimaryMapper(n -> allPrimaries(context))
                .build(),
            context);
    links =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(EdgeLink.class, LLMDeployment.class)
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withSecondaryToPrimaryMapper(l -> allPrimaries(context))
                .build(),
            context);
    // Only profile ConfigMaps labelled dilemma.io/profile are watched (an edit replans at once);
    // an unlabelled one is read by name at each reconcile instead of watching every ConfigMap.
    configMaps =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, LLMDeployment.class)
                .withLabelSelector(PROFILE_LABEL)
                .withSecondaryToPrimaryMapper(cm -> referencing(context, cm))
                .build(),
            context);
    // Pods that are not shards still take node memory the scheduler will not give a shard; read
    // at each reconcile, they trigger none (a DaemonSet's rollout is no reason to replan).
    otherPods =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, LLMDeployment.class)
                .withWatchAllNamespaces()
                .withFollowControllerNamespacesChanges(false)
                .withLabelSelector("!" + ShardNames.LABEL_DEPLOYMENT)
                .withSecondaryToPrimaryMapper(p -> Set.of())
                .build(),
            context);
    return List.of(deployments, services, nodes, links, configMaps, otherPods);
  }

  @Override
  public UpdateControl<LLMDeployment> reconcile(LLMDeployment resource, Context<LLMDeployment> context) {
    Instant now = clock.instant();
    String key = key(resource);
    LLMDeploymentStatus previous =
        resource.getStatus() == null
            ? new LLMDeploymentStatus(null, null, null, null, null, null)
            : resource.getStatus();
    long generation = resource.getMetadata().getGeneration();

    PlanningAttempt attempt = planAndHold(resource, context, previous, now);
    reporter.solved(attempt.result);

    PlanStatus desired =
        attempt.result.outcome() instanceof PlanningOutcome.Planned p ? p.plan() : previous.plan();
    String serving = previous.servingPlanId();
    Map<String, ShardSet> sets = Map.of();
    String rolloutFailure = null;
    if (desired != null && attempt.result.outcome().refusesTheSpec()) {
      var result = rollout.observe(desired, serving, context.getSecondaryResources(Deployment.class));
      sets = result.shardSets();
    } else if (desired != null) {
      try {
        var result =
            rollout.roll(
                resource, desired, serving, context.getSecondaryResources(Deployment.class), attempt.observation == null ? Map.of() : attempt.observation.freeBytesByNode());
        serving = result.servingPlanId();
        sets = result.shardSets();
      } catch (KubernetesClientException e) {
        // Retrying the same refused write cannot succeed; the status says why, and a later
        // reconcile (a spec edit, or the recheck below) tries again.
        rolloutFailure = RolloutFailure.describe(e);
        LOG.warn("{}: rollout of plan {} refused: {}", key, desired.planId(), rolloutFailure);
      }
    }
    LLMDeploymentStatus status =
        StatusAggregator.aggregate(
            new StatusAggregator.Inputs(
                previous,
                generation,
                attempt.result.outcome(),
                serving,
                sets,
                attempt.observation,
                attempt.result.lostNodes(),
                now,
                rolloutFailure,
                attempt.observation == null ? null : resource.getSpec().placement().originNode()));
    reporter.report(resource, key, previous, status, attempt.result, attempt.observation);

    if (!status.equals(previous)) writeStatus(resource, status, context);
    UpdateControl<LLMDeployment> control = UpdateControl.noUpdate();
    Optional<Instant> recheck = attempt.recheckAt();
    if (rolloutFailure != null) {
      Instant retry = now.plus(ROLLOUT_RETRY);
      recheck = Optional.of(recheck.filter(r -> r.isBefore(retry)).orElse(retry));
    }
    if (recheck.isPresent()) {
      control.rescheduleAfter(Duration.between(now, recheck.get()).plusMillis(50));
    }
    return control;
  }

  /**
   * Patches the status and caches the answer, so the next reconcile reads the plan just written:
   * the status is the operator's memory of the running plan, and a stale read would plan twice.
   */
  private static void writeStatus(
      LLMDeployment resource, LLMDeploymentStatus status, Context<LLMDeployment> context) {
    LLMDeployment patch = new LLMDeployment();
    patch.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .build());
    patch.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, patch, context);
  }

  @Override
  public DeleteControl cleanup(LLMDeployment resource, Context<LLMDeployment> context) {
    String key = key(resource);
    rollout.deleteAll(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    ledger.release(key);
    planning.forget(key);
    reporter.forget(resource, key);
    return DeleteControl.defaultDelete();
  }

  /**
   * @param holding what the plan to run asks of each node (null when there is none)
   * @param memoryBound the planner found no plan because memory is short
   */
  private record PlanningAttempt(
      PlanningStep.Result result,
      ClusterObservation observation,
      Optional<Instant> staleAt,
      Map<String, Long> holding) {
    Optional<Instant> recheckAt() {
      return java.util.stream.Stream.of(result.recheckAt(), staleAt)
          .flatMap(Optional::stream)
          .min(Instant::compareTo);
    }

    boolean memoryBound() {
      return result.outcome() instanceof PlanningOutcome.Infeasible infeasible
          && infeasible.minimalFeasibleBudget() == null;
    }
  }

  /** Optimistic attempts before a deployment plans with the ledger to itself. */
  static final int OPTIMISTIC_ATTEMPTS = 3;

  /**
   * Plans on a snapshot of the memory ledger, outside its lock, so that deployments solve side by
   * side, then records the plan's memory if it still fits. When it no longer fits, or memory was
   * what stopped the plan and the holdings moved meanwhile, it plans again on the new holdings;
   * after {@value #OPTIMISTIC_ATTEMPTS} lost races it plans holding the ledger, so it always ends.
   */
  private PlanningAttempt planAndHold(
      LLMDeployment resource, Context<LLMDeployment> context, LLMDeploymentStatus previous, Instant now) {
    String key = key(resource);
    for (int attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
      HoldingAttempt tried = planOnceAndHold(resource, context, previous, now, true);
      if (tried.kept()) return tried.attempt();
      // The solve happened, even if its plan is thrown away.
      reporter.solved(tried.attempt().result());
      metrics.ledgerConflict();
      LOG.debug("{}: memory holdings moved while planning (attempt {}); planning again", key, attempt);
    }
    return ledger.exclusively(() -> planOnceAndHold(resource, context, previous, now, false).attempt());
  }

  /** One plan and whether it stands: false when it lost the race to the ledger and is to be redone. */
  private record HoldingAttempt(PlanningAttempt attempt, boolean kept) {}

  /** One plan on the holdings as they are now, recorded in the ledger if it still fits. */
  private HoldingAttempt planOnceAndHold(
      LLMDeployment resource,
      Context<LLMDeployment> context,
      LLMDeploymentStatus previous,
      Instant now,
      boolean mayRetry) {
    String key = key(resource);
    Map<String, Map<String, Long>> persisted = persistedHoldings(context);
    MemoryLedger.Snapshot holdings = ledger.snapshot(key, persisted);
    PlanningAttempt attempt = plan(resource, context, previous, now, holdings);
    if (attempt.holding() != null) {
      boolean recorded = ledger.record(key, attempt.holding(), attempt.observation().allocatableBytesByNode(), persisted);
      if (!recorded && mayRetry) return new HoldingAttempt(attempt, false);
      if (!recorded) {
        throw new IllegalStateException(key + ": the plan asks more memory than its nodes have left although it was made with the memory ledger held");
      }
    }
    boolean staleVerdict = attempt.memoryBound() && ledger.movedSince(holdings);
    return new HoldingAttempt(attempt, !(mayRetry && staleVerdict));
  }

  /** Observes, builds the problem and solves on {@code holdings}; records nothing. */
  private PlanningAttempt plan(
      LLMDeployment resource,
      Context<LLMDeployment> context,
      LLMDeploymentStatus previous,
      Instant now,
      MemoryLedger.Snapshot holdings) {
    String key = key(resource);
    var spec = resource.getSpec();
    List<String> problems = SpecValidation.problems(resource.getMetadata().getName(), spec);
    if (!problems.isEmpty()) {
      return unplannable(PlanningOutcome.Cause.InvalidSpec, String.join("; ", problems));
    }
    Optional<String> image = settings.workerImages().problem(spec.worker().image());
    if (image.isPresent()) return unplannable(PlanningOutcome.Cause.ImageNotAllowed, image.get());
    ModelCosts costs;
    try {
      var ref = spec.model().profile();
      String namespace = resource.getMetadata().getNamespace();
      ConfigMap profile =
          configMaps
              .get(new ResourceID(ref.name(), namespace))
              .orElseGet(() -> client.configMaps().inNamespace(namespace).withName(ref.name()).get());
      costs = profiles.costs(namespace, ref, profile, spec);
    } catch (ProfileReader.SpecExceedsProfileException e) {
      return unplannable(PlanningOutcome.Cause.InvalidSpec, e.getMessage());
    } catch (ProfileReader.ProfileException e) {
      return unplannable(PlanningOutcome.Cause.ProfileUnavailable, e.getMessage());
    }
    List<EdgeLink> allLinks = links.list().toList();
    Optional<Instant> nextPoll = Optional.empty();
    if (linkMetrics != null) {
      nextPoll = Optional.of(now.plus(settings.linkMetricsInterval()));
      try {
        allLinks = PrometheusLinkSource.merge(allLinks, linkMetrics.links());
      } catch (PrometheusLinkSource.UnavailableException e) {
        // Plan on the EdgeLinks; measurements that stop arriving go stale and say so.
        LOG.warn("{}: link metrics unavailable, using EdgeLinks: {}", key, e.getMessage());
      }
    }
    List<Node> matching = nodes.list().filter(n -> ClusterObserver.selects(spec.placement(), n)).toList();
    if (matching.isEmpty()) {
      return unplannable(
          PlanningOutcome.Cause.NoEligibleNodes,
          "spec.placement.nodeSelector: no node matches " + spec.placement().nodeSelector());
    }
    ClusterObservation observation =
        ClusterObserver.observe(
            spec.placement(),
            matching,
            allLinks,
            holdings.heldByOthers(),
            OtherPodRequests.byNode(otherPods.list().toList()),
            settings.freshness(),
            now);
    PlanningStep.Result result =
        planning.run(key, resource.getMetadata().getGeneration(), spec, previous, costs, observation, now);
    // Only where memory is what stops the plan: when a larger quality budget would do, the
    // other deployments' holdings are beside the point.
    if (result.outcome() instanceof PlanningOutcome.Infeasible infeasible
        && infeasible.minimalFeasibleBudget() == null) {
      String holders =
          MemoryLedger.holdersNote(
              ledger.holdersByNode(key, persistedHoldings(context)),
              matching.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet()));
      if (!holders.isEmpty()) {
        result =
            new PlanningStep.Result(
                new PlanningOutcome.Infeasible(infeasible.explanation() + holders, infeasible.minimalFeasibleBudget()),
                result.lostNodes(),
                result.recheckAt(),
                result.solveSeconds());
      }
    }
    PlanStatus held =
        result.outcome() instanceof PlanningOutcome.Planned p ? p.plan() : previous.plan();
    Optional<Instant> lookAgain =
        java.util.stream.Stream.of(ClusterObserver.nextStaleness(allLinks, settings.freshness(), now), nextPoll)
            .flatMap(Optional::stream)
            .min(Instant::compareTo);
    return new PlanningAttempt(
        result,
        observation,
        lookAgain,
        held == null ? null : MemoryLedger.requestsByNode(held, settings.shardOverheadBytes()));
  }

  /** No problem could be built: nothing is solved, and the memory held stays as it is. */
  private static PlanningAttempt unplannable(PlanningOutcome.Cause cause, String message) {
    return new PlanningAttempt(
        new PlanningStep.Result(
            new PlanningOutcome.Unplannable(cause, message), List.of(), Optional.empty(), List.of()),
        null,
        Optional.empty(),
        null);
  }

  /** Holdings of the other deployments as their status records them (survives a restart). */
  private Map<String, Map<String, Long>> persistedHoldings(Context<LLMDeployment> context) {
    Map<String, Map<String, Long>> held = new HashMap<>();
    context
        .getPrimaryCache()
        .list()
        .filter(d -> d.getStatus() != null && d.getStatus().plan() != null)
        .forEach(
            d ->
                held.put(
                    key(d),
                    MemoryLedger.requestsByNode(d.getStatus().plan(), settings.shardOverheadBytes())));
    return held;
  }

  private static Set<ResourceID> allPrimaries(EventSourceContext<LLMDeployment> context) {
    return context.getPrimaryCache().list().map(ResourceID::fromResource).collect(Collectors.toSet());
  }

  private static Set<ResourceID> referencing(EventSourceContext<LLMDeployment> context, ConfigMap cm) {
    String ns = cm.getMetadata().getNamespace();
    String name = cm.getMetadata().getName();
    return context
        .getPrimaryCache()
        .list(
            ns,
            d -> d.getSpec() != null
                && d.getSpec().model() != null
                && d.getSpec().model().profile() != null
                && name.equals(d.getSpec().model().profile().name()))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }

  static String key(LLMDeployment d) {
    return d.getMetadata().getNamespace() + "/" + d.getMetadata().getName();
  }
}
