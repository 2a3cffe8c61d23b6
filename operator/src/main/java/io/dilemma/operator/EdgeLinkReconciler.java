package io.dilemma.operator;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/**
 * Stamps an EdgeLink whose spec was edited by hand as freshly observed (source {@code spec}).
 * A probe that writes the status itself, with its own observedGeneration, is left alone.
 */
@ControllerConfiguration(name = EdgeLinkReconciler.NAME)
public class EdgeLinkReconciler implements Reconciler<EdgeLink> {
  public static final String NAME = "edgelink";
  private final Clock clock;

  public EdgeLinkReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<EdgeLink> reconcile(EdgeLink link, Context<EdgeLink> context) {
    Long generation = link.getMetadata().getGeneration();
    EdgeLinkStatus status = link.getStatus();
    if (status != null && generation != null && generation.equals(status.observedGeneration())) {
      return UpdateControl.noUpdate();
    }
    link.setStatus(
        new EdgeLinkStatus(clock.instant().toString(), EdgeLinkStatus.SOURCE_SPEC, generation));
    return UpdateControl.patchStatus(link);
  }
}
