package io.dilemma.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;

/** The measured bandwidth and round-trip time of one direction between two nodes. */
@Group(LLMDeployment.GROUP)
@Version(LLMDeployment.VERSION)
@AdditionalPrinterColumn(name = "From", jsonPath = ".spec.from", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "To", jsonPath = ".spec.to", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Mbps",
    jsonPath = ".spec.bandwidthMbps",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "RTT-ms",
    jsonPath = ".spec.rttMillis",
    type = AdditionalPrinterColumn.Type.NUMBER)
@AdditionalPrinterColumn(
    name = "Observed",
    jsonPath = ".status.observedAt",
    type = AdditionalPrinterColumn.Type.DATE)
public class EdgeLink extends CustomResource<EdgeLinkSpec, EdgeLinkStatus> {}
