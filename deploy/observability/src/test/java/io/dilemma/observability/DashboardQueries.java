package io.dilemma.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard JSON: every panel target's expression and every query
 * variable's {@code label_values(selector, label)}, with Grafana's variables filled in as Grafana
 * would before sending them.
 */
record DashboardQueries(List<PanelQuery> panels, List<Variable> variables) {
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

  record PanelQuery(String panel, String refId, String expr) {
    String expand(Map<String, String> values) {
      return DashboardQueries.expand(expr, values, panel + " " + refId);
    }
  }

  /** A query variable: the values of {@code label} over the series {@code selector} matches. */
  record Variable(String name, String label, String selector) {
    String expandedSelector(Map<String, String> values) {
      return DashboardQueries.expand(selector, values, "variable " + name);
    }
  }

  static DashboardQueries read(Path file) throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
    List<PanelQuery> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        panels.add(new PanelQuery(panel.path("title").asText(), target.path("refId").asText(), target.path("expr").asText()));
      }
    }
    List<Variable> variables = new ArrayList<>();
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (!variable.path("type").asText().equals("query")) continue;
      String definition = variable.path("definition").asText();
      Matcher m = LABEL_VALUES.matcher(definition);
      if (!m.matches()) {
        throw new IllegalArgumentException(file + ": variable " + variable.path("name").asText() + " is not label_values(selector, label): " + definition);
      }
      variables.add(new Variable(variable.path("name").asText(), m.group(2), m.group(1).trim()));
    }
    return new DashboardQueries(List.copyOf(panels), List.copyOf(variables));
  }

  /** Fills in {@code $name} and {@code ${name}}, longest names first; a variable left over is an error. */
  static String expand(String text, Map<String, String> values, String where) {
    String out = text;
    List<String> names = values.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    for (String name : names) {
      out = out.replace("${" + name + "}", values.get(name)).replace("$" + name, values.get(name));
    }
    Matcher left = Pattern.compile("\\$\\{?[a-zA-Z_]+").matcher(out);
    if (left.find()) throw new IllegalArgumentException(where + ": unknown variable " + left.group() + " in " + text);
    return out;
  }
}
