package io.dilemma.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A language model served from edge nodes: the operator plans which node runs each layer at how
 * many bits and rolls out one pinned shard-worker per shard.
 */
@Group(LLMDeployment.GROUP)
@Version(LLMDeployment.VERSION)
@ShortNames("llmd")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Shards",
    jsonPath = ".status.plan.shardCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Predicted",
    jsonPath = ".status.plan.predictedSeconds",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Predicted completion time of the workload, seconds, 3 significant digits")
@AdditionalPrinterColumn(
    name = "Bits%",
    jsonPath = ".status.plan.quantizationPercent",
    type = AdditionalPrinterColumn.Type.NUMBER,
    getDescription = "Weight bits kept, percent of the 16-bit model")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class LLMDeployment extends CustomResource<LLMDeploymentSpec, LLMDeploymentStatus>
    implements Namespaced {
  public static final String GROUP = "dilemma.io";
  public static final String VERSION = "v1alpha1";

  /** kubectl get shows the columns in this order (the generator sorts them otherwise). */
  public static final java.util.List<String> PRINTER_COLUMN_ORDER = java.util.List.of("Ready", "Shards", "Predicted", "Bits%", "Age");

  /** What {@code kubectl explain llmdeployment.spec} says. */
  public static final String SPEC_DESCRIPTION =
      "What to serve and under which limits: the model and its profile, the workload to plan for,"
          + " the quality budget, the nodes that may run layers, and the bit widths and rho the planner may choose.";

  /** What {@code kubectl explain llmdeployment.status} says. */
  public static final String STATUS_DESCRIPTION =
      "Written by the operator: the plan it wants running (shards, layers, bits, predicted time),"
          + " the plan being served, why it last replanned, the figures and source of each link the plan"
          + " uses, and the conditions Ready, Planned and Degraded.";

  @Override
  @JsonDeserialize(using = TolerantSpecDeserializer.class)
  public void setSpec(LLMDeploymentSpec spec) {
    super.setSpec(spec);
  }
}
