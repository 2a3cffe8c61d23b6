package io.dilemma.planinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dilemma.contract.QualityMetric;
import io.dilemma.planner.Cluster;
import io.dilemma.planner.ComputeNode;
import io.dilemma.planner.Link;
import io.dilemma.planner.PlanningOptions;
import io.dilemma.planner.Tier;
import io.dilemma.planner.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a cluster file (YAML or JSON; YAML is a superset, so one parser reads both): the nodes,
 * the links, the origin, and the workload, quality budget and options to plan for. The schema is
 * documented in operator/PLANNER.md.
 *
 * @param cluster nodes, links, origin
 * @param workload prompt and output tokens
 * @param qualityBudget Q, or null when the file leaves it to the command line
 * @param metric which measured loss the budget constrains
 * @param options allowed bits and ρ, privacy, time limit
 */
public record ClusterFile(
    Cluster cluster,
    Workload workload,
    Double qualityBudget,
    QualityMetric metric,
    PlanningOptions options) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public static ClusterFile read(Path file) {
    byte[] text;
    try {
      text = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(file.toString(), "", "file not found");
    } catch (IOException e) {
      throw new InvalidInputException(file.toString(), "", "cannot read: " + e.getMessage());
    }
    try {
      return parse(text);
    } catch (InvalidInputException e) {
      throw e.inFile(file.toString());
    }
  }

  /** The text of a cluster file; every problem is an {@link InvalidInputException} naming the field. */
  static ClusterFile parse(byte[] text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.notValid(e, "YAML/JSON");
    } catch (IOException e) {
      throw new InvalidInputException(null, "", "cannot read: " + e.getMessage());
    }
    return parse(Fields.root(root));
  }

  static ClusterFile parse(Fields root) {
    root.allowOnly(Set.of("origin", "nodes", "links", "workload", "quality", "options"));
    List<ComputeNode> nodes = nodes(root);
    String origin = root.text("origin");
    if (nodes.stream().noneMatch(n -> n.name().equals(origin))) {
      throw root.problem("origin", "'" + origin + "' is not one of the nodes");
    }
    List<Link> links = root.has("links") ? links(root, nodes) : List.of();
    Fields workload = root.object("workload");
    workload.allowOnly(Set.of("promptTokens", "outputTokens"));
    Workload w = new Workload(workload.positiveInt("promptTokens"), workload.positiveInt("outputTokens"));

    Double budget = null;
    QualityMetric metric = QualityMetric.NORMALIZED_ERROR;
    if (root.has("quality")) {
      Fields quality = root.object("quality");
      quality.allowOnly(Set.of("metric", "budget"));
      if (quality.has("budget")) budget = quality.nonNegative("budget");
      if (quality.has("metric")) metric = metric(quality);
    }
    return new ClusterFile(new Cluster(nodes, links, origin), w, budget, metric, options(root));
  }

  private static List<ComputeNode> nodes(Fields root) {
    List<ComputeNode> nodes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Fields node : root.objects("nodes")) {
      node.allowOnly(Set.of("name", "tier", "compute", "memoryBandwidth", "memory"));
      String name = node.text("name");
      if (!names.add(name)) throw node.problem("name", "'" + name + "' appears twice");
      Tier tier = Tier.EDGE;
      if (node.has("tier")) {
        String t = node.text("tier").toUpperCase(Locale.ROOT);
        if (!t.equals("EDGE") && !t.equals("CLOUD")) throw node.problem("tier", "expected edge or cloud, got '" + t.toLowerCase(Locale.ROOT) + "'");
        tier = Tier.valueOf(t);
      }
      nodes.add(
          new ComputeNode(
              name,
              node.quantity("compute", Quantity.FLOPS, true),
              node.quantity("memoryBandwidth", Quantity.BYTES_PER_SECOND, true),
              (long) node.quantity("memory", Quantity.BYTES, false),
              tier));
    }
    return nodes;
  }

  private static List<Link> links(Fields root, List<ComputeNode> nodes) {
    Set<String> names = new HashSet<>();
    nodes.forEach(n -> names.add(n.name()));
    List<Link> links = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Fields link : root.objects("links")) {
      link.allowOnly(Set.of("from", "to", "bandwidth", "latency", "bidirectional"));
      String from = link.text("from");
      String to = link.text("to");
      if (!names.contains(from)) throw link.problem("from", "'" + from + "' is not one of the nodes");
      if (!names.contains(to)) throw link.problem("to", "'" + to + "' is not one of the nodes");
      if (from.equals(to)) throw link.problem("to", "a link must join two different nodes");
      double bandwidth = link.quantity("bandwidth", Quantity.BYTES_PER_SECOND, true);
      double latency = link.has("latency") ? link.quantity("latency", Quantity.SECONDS, false) : 0;
      List<Link> directions = new ArrayList<>(List.of(new Link(from, to, bandwidth, latency)));
      if (link.bool("bidirectional", true)) directions.add(new Link(to, from, bandwidth, latency));
      for (Link l : directions) {
        if (!seen.add(l.from() + "->" + l.to())) {
          throw link.problem("to", "the link " + l.from() + " -> " + l.to() + " is given twice");
        }
        links.add(l);
      }
    }
    return links;
  }

  private static QualityMetric metric(Fields quality) {
    try {
      return MetricNames.parse(quality.text("metric"));
    } catch (IllegalArgumentException e) {
      throw quality.problem("metric", e.getMessage());
    }
  }

  private static PlanningOptions options(Fields root) {
    PlanningOptions defaults = PlanningOptions.defaults();
    if (!root.has("options")) return defaults;
    Fields options = root.object("options");
    options.allowOnly(Set.of("bits", "rho", "keepTokensOnOrigin", "timeLimit"));
    List<Integer> bits = defaults.allowedBits();
    if (options.has("bits")) {
      bits = new ArrayList<>();
      List<Double> given = options.numbers("bits");
      for (int i = 0; i < given.size(); i++) {
        double b = given.get(i);
        if (b != 2 && b != 3 && b != 4 && b != 8 && b != 16) {
          throw options.problem("bits[" + i + "]", "expected one of 2, 3, 4, 8, 16, got " + b);
        }
        bits.add((int) b);
      }
    }
    List<Double> rho = defaults.allowedRho();
    if (options.has("rho")) {
      rho = options.numbers("rho");
      for (int i = 0; i < rho.size(); i++) {
        if (rho.get(i) < 0 || rho.get(i) > 1) {
          throw options.problem("rho[" + i + "]", "expected a share between 0 and 1, got " + rho.get(i));
        }
      }
    }
    Duration limit = defaults.timeLimit();
    if (options.has("timeLimit")) {
      double seconds = options.quantity("timeLimit", Quantity.SECONDS, true);
      limit = Duration.ofNanos((long) (seconds * 1e9));
      // a positive limit below 1 ns (1e-10 s) truncates to no time at all: the solver would stop
      // before it starts and the CLI say "no plan" (exit 3) for what is bad input (exit 2)
      if (limit.isZero()) throw options.problem("timeLimit", "must be at least 1 ns, got " + seconds + " s");
    }
    return new PlanningOptions(
        bits, rho, options.bool("keepTokensOnOrigin", defaults.keepTokensOnOrigin()), limit, null);
  }
}
