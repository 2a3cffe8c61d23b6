package io.dilemma.localcluster.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The chart's documented scrape config ({@code prometheus/scrape-config.yaml}) with its relabel
 * rules as they are, for Debian's prometheus: its pod discovery becomes HTTP discovery served by
 * {@link PodDiscoveryEndpoint}, since that build has no Kubernetes discovery.
 */
public final class ChartScrapeConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ChartScrapeConfig() {}

  /**
   * @param interval scrape and discovery interval, e.g. {@code 1s}
   * @throws IOException when the file is unreadable or a job does not discover pods
   */
  public static String withHttpDiscovery(Path chart, String podDiscoveryUrl, String interval) throws IOException {
    Path file = chart.resolve("prometheus/scrape-config.yaml");
    ObjectNode config = (ObjectNode) YAML.readTree(file.toFile());
    config.putObject("global").put("scrape_interval", interval).put("scrape_timeout", interval).put("evaluation_interval", interval);
    for (JsonNode job : config.get("scrape_configs")) {
      JsonNode kubernetes = ((ObjectNode) job).remove("kubernetes_sd_configs");
      if (kubernetes == null || kubernetes.size() != 1 || !"pod".equals(kubernetes.get(0).path("role").asText())) {
        throw new IOException(file + ": job " + job.path("job_name").asText() + " must discover pods (one kubernetes_sd_configs entry, role: pod)");
      }
      ((ObjectNode) job).putArray("http_sd_configs").addObject().put("url", podDiscoveryUrl).put("refresh_interval", interval);
    }
    return YAML.writeValueAsString(config);
  }
}
