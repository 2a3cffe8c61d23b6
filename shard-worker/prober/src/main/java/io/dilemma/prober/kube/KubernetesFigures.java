package io.dilemma.prober.kube;

import io.dilemma.api.EdgeLink;
import io.dilemma.api.EdgeLinkSpec;
import io.dilemma.api.EdgeLinkStatus;
import io.dilemma.prober.core.Estimate;
import io.dilemma.prober.core.FigureSink;
import io.dilemma.prober.core.LinkMeasurement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Writes figures where the operator reads them: one EdgeLink per direction this node sends on,
 * and this node's own labels and annotation. It only ever patches the Node named at start.
 *
 * <p>Compute figures go to labels, as node-feature-discovery publishes hardware features, so they
 * can be selected on and override nothing but hand-written labels of the same key. The available
 * share changes with load and goes to an annotation: labels are indexed, and churning them costs
 * every watcher of Nodes.
 */
public final class KubernetesFigures implements FigureSink {
  public static final String GFLOPS = "dilemma.io/gflops";
  public static final String MEMORY_BANDWIDTH_GBPS = "dilemma.io/memory-bandwidth-gbps";
  public static final String AVAILABLE_COMPUTE_RATIO = "dilemma.io/available-compute-ratio";

  private final KubernetesClient client;
  private final String nodeName;

  public KubernetesFigures(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  /** The EdgeLink's name for a direction; the same one the operator gives Prometheus links. */
  public static String linkName(String from, String to) {
    return from + "--" + to;
  }

  @Override
  public void link(LinkMeasurement m) throws IOException {
    String name = linkName(m.from(), m.to());
    EdgeLinkSpec spec = new EdgeLinkSpec(m.from(), m.to(), mbps(m.bandwidthBytesPerSecond().value()),
        millis(m.rttSeconds().value()));
    try {
      var resource = client.resources(EdgeLink.class).withName(name);
      EdgeLink current = resource.get();
      EdgeLink link;
      if (current == null) {
        EdgeLink fresh = new EdgeLink();
        fresh.setMetadata(new ObjectMetaBuilder().withName(name)
            .withLabels(Map.of("app.kubernetes.io/managed-by", "dilemma-prober")).build());
        fresh.setSpec(spec);
        link = client.resource(fresh).create();
      } else if (!spec.equals(current.getSpec())) {
        link = resource.edit(l -> {
          l.setSpec(spec);
          return l;
        });
      } else {
        link = current;
      }
      Estimate bw = m.bandwidthBytesPerSecond();
      Estimate rtt = m.rttSeconds();
      link.setStatus(new EdgeLinkStatus(bw.observedAt().isBefore(rtt.observedAt()) ? bw.observedAt().toString() : rtt.observedAt().toString(),
          EdgeLinkStatus.SOURCE_PROBE, link.getMetadata().getGeneration(), Math.min(bw.samples(), rtt.samples()),
          mbps(bw.min()), mbps(bw.max()), millis(rtt.min()), millis(rtt.max())));
      // a merge patch without resourceVersion: the operator stamps `spec` on every spec change, and
      // this stamp, for the generation just written, must win over that one whichever comes first
      link.getMetadata().setResourceVersion(null);
      client.resource(link).patchStatus();
    } catch (KubernetesClientException e) {
      throw new IOException("writing EdgeLink " + name + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void compute(double flopsPerSecond, double memoryBytesPerSecond) throws IOException {
    patchOwnNode("labels", Map.of(GFLOPS, figure(flopsPerSecond / 1e9), MEMORY_BANDWIDTH_GBPS, figure(memoryBytesPerSecond / 1e9)));
  }

  @Override
  public void availableShare(double share) throws IOException {
    patchOwnNode("annotations", Map.of(AVAILABLE_COMPUTE_RATIO, String.format(Locale.ROOT, "%.2f", share)));
  }

  private void patchOwnNode(String field, Map<String, String> values) throws IOException {
    StringBuilder json = new StringBuilder("{\"metadata\":{\"" + field + "\":{");
    String sep = "";
    for (var e : values.entrySet()) {
      json.append(sep).append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
      sep = ",";
    }
    json.append("}}}");
    try {
      client.nodes().withName(nodeName).patch(PatchContext.of(PatchType.JSON_MERGE), json.toString());
    } catch (KubernetesClientException e) {
      throw new IOException("patching the " + field + " of Node " + nodeName + " failed: " + e.getMessage(), e);
    }
  }

  /** Three significant digits: a valid label value, and steadier than the raw figure. */
  static String figure(double value) {
    return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }

  /** Capped at the EdgeLink schema's 1 Tbit/s, which loopback on a fast host could pass. */
  private static double mbps(double bytesPerSecond) {
    return Math.min(1e6, bytesPerSecond * 8 / 1e6);
  }

  private static double millis(double seconds) {
    return seconds * 1000;
  }
}
