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
    jsonPath = ".status.plan.predicted.totalSeconds",
    type = AdditionalPrinterColumn.Type.NUMBER,
    getDescription = "Predicted completion time of the workload, seconds")
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

  @Override
  @JsonDeserialize(using = TolerantSpecDeserializer.class)
  public void setSpec(LLMDeploymentSpec spec) {
    super.setSpec(spec);
  }
}
