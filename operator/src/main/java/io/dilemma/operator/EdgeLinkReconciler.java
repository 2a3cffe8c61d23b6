package io.dilemma.operator;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.operator.observe.EdgeLinkProblems;
import io.fabric8.kubernetes.api.model.Node;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Stamps an EdgeLink whose spec was edited by hand as freshly observed (source {@code spec}).
 * A probe that writes the status itself, with its own observedGeneration, is left alone. Either
 * way, a link the planner cannot use (a self-link, a node that does not exist) says so in
 * {@code status.problem}.
 */
@ControllerConfiguration(name = EdgeLinkReconciler.NAME)
public class EdgeLinkReconciler implements Reconciler<EdgeLink> {
  public static final String NAME = "edgelink";
  private final Clock clock;

  public EdgeLinkReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, EdgeLink>> prepareEventSources(EventSourceContext<EdgeLink> context) {
    // A node that appears or goes away changes which links name an unknown node.
    InformerEventSource<Node, EdgeLink> nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, EdgeLink.class)
                .withSecondaryToPrimaryMapper(n -> naming(context, n.getMetadata().getName()))
                .build(),
            context);
    return List.of(nodes);
  }

  @Override
  public UpdateControl<EdgeLink> reconcile(EdgeLink link, Context<EdgeLink> context) {
    Set<String> nodeNames =
        context.getSecondaryResourcesAsStream(Node.class).map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
    String problem = EdgeLinkProblems.of(link.getSpec(), nodeNames).orElse(null);
    Long generation = link.getMetadata().getGeneration();
    EdgeLinkStatus status = link.getStatus();
    if (status != null && generation != null && generation.equals(status.observedGeneration())) {
      if (Objects.equals(problem, status.problem())) return UpdateControl.noUpdate();
      link.setStatus(status.withProblem(problem));
      return UpdateControl.patchStatus(link);
    }
    link.setStatus(
        new EdgeLinkStatus(clock.instant().toString(), EdgeLinkStatus.SOURCE_SPEC, generation).withProblem(problem));
    return UpdateControl.patchStatus(link);
  }

  private static Set<ResourceID> naming(EventSourceContext<EdgeLink> context, String node) {
    return context
        .getPrimaryCache()
        .list(l -> l.getSpec() != null && (node.equals(l.getSpec().from()) || node.equals(l.getSpec().to())))
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
