package io.dilemma.planinput;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * One object of a parsed YAML/JSON document, read field by field; every failure names the field's
 * full path (e.g. {@code nodes[2].memory}).
 */
final class Fields {
  private final JsonNode node;
  private final String path;

  private Fields(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  static Fields root(JsonNode node) {
    if (node == null || !node.isObject()) throw new InvalidInputException(null, "", "expected a mapping at the top level");
    return new Fields(node, "");
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  InvalidInputException problem(String field, String problem) {
    return new InvalidInputException(null, path(field), problem);
  }

  /** Rejects fields this schema does not know, so a typo is not silently ignored. */
  void allowOnly(Set<String> known) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw problem(name, "unknown field (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  boolean has(String field) {
    return node.hasNonNull(field);
  }

  private JsonNode required(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) throw problem(field, "missing");
    return value;
  }

  String text(String field) {
    JsonNode value = required(field);
    if (!value.isTextual() || value.asText().isBlank()) throw problem(field, "expected a non-empty string");
    return value.asText();
  }

  int positiveInt(String field) {
    JsonNode value = required(field);
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1) {
      throw problem(field, "expected a whole number ≥ 1, got '" + value.asText() + "'");
    }
    return value.asInt();
  }

  /** A finite number ≥ 0; {@code -0} is read as 0. */
  double nonNegative(String field) {
    JsonNode value = required(field);
    // a literal past the double range (1e400) reads as infinity and YAML's .nan as NaN: both pass
    // "< 0", and a budget that is no number would make every quality sum compare false
    if (!value.isNumber() || !(value.asDouble() >= 0) || !Double.isFinite(value.asDouble())) {
      throw problem(field, "expected a finite number ≥ 0, got '" + value.asText() + "'");
    }
    // "-0" passes the check above but sorts below 0 (Double.compare); adding 0.0 makes it +0
    return value.asDouble() + 0.0;
  }

  boolean bool(String field, boolean fallback) {
    if (!has(field)) return fallback;
    JsonNode value = node.get(field);
    if (!value.isBoolean()) throw problem(field, "expected true or false, got '" + value.asText() + "'");
    return value.asBoolean();
  }

  /** A quantity with a unit; {@code positive} rejects zero. */
  double quantity(String field, Quantity kind, boolean positive) {
    JsonNode value = required(field);
    double parsed;
    try {
      parsed = value.isNumber() ? value.asDouble() : kind.parse(value.asText());
    } catch (IllegalArgumentException e) {
      throw problem(field, e.getMessage());
    }
    if (parsed < 0 || (positive && parsed == 0) || !Double.isFinite(parsed)) {
      throw problem(field, "must be " + (positive ? "> 0" : "≥ 0") + ", got '" + value.asText() + "'");
    }
    // "-0 ms" passes the check above but sorts below 0 (Double.compare); adding 0.0 makes it +0
    return parsed + 0.0;
  }

  Fields object(String field) {
    JsonNode value = required(field);
    if (!value.isObject()) throw problem(field, "expected a mapping");
    return new Fields(value, path(field));
  }

  List<Fields> objects(String field) {
    JsonNode value = required(field);
    if (!value.isArray() || value.isEmpty()) throw problem(field, "expected a non-empty list");
    List<Fields> items = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      if (!value.get(i).isObject()) throw problem(field + "[" + i + "]", "expected a mapping");
      items.add(new Fields(value.get(i), path(field) + "[" + i + "]"));
    }
    return items;
  }

  List<Double> numbers(String field) {
    JsonNode value = required(field);
    if (!value.isArray() || value.isEmpty()) throw problem(field, "expected a non-empty list of numbers");
    List<Double> numbers = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      if (!value.get(i).isNumber()) {
        throw problem(field + "[" + i + "]", "expected a number, got '" + value.get(i).asText() + "'");
      }
      numbers.add(value.get(i).asDouble());
    }
    return numbers;
  }
}
