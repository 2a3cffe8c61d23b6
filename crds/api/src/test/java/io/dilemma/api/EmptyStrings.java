package io.dilemma.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * How a spec's string fields meet the empty string. A 1.20 API server takes {@code ""} for the
 * zero value of a string and, unless the field is {@code nullable}, refuses it with {@code
 * spec.model.name: Invalid value: "null": ... must be of type string: "null"}, which names neither
 * the value nor the problem. So every string is {@code nullable}, and every string that must not be
 * empty gets {@code minLength: 1}: the refusal then reads {@code spec.model.name: Invalid value:
 * "": spec.model.name in body should be at least 1 chars long}. A string that may be empty (a label
 * value, a path defaulting to the volume's root) is then accepted as it should be. An explicit
 * {@code null} now passes the schema, and the operator's spec validation names it instead.
 */
final class EmptyStrings {
  private EmptyStrings() {}

  /**
   * @param spec the schema of {@code spec}
   * @param mayBeEmpty dotted paths below spec of strings that may be empty; {@code *} stands for
   *     the values of a map
   * @param kubernetesTypes dotted paths of subtrees holding Kubernetes' own types, left as they are
   */
  static void refine(JsonNode spec, Set<String> mayBeEmpty, Set<String> kubernetesTypes) {
    walk(spec, "", mayBeEmpty, kubernetesTypes);
  }

  private static void walk(JsonNode schema, String path, Set<String> mayBeEmpty, Set<String> kubernetesTypes) {
    if (!(schema instanceof ObjectNode node) || kubernetesTypes.contains(path)) {
      return;
    }
    if ("string".equals(node.path("type").asText())) {
      node.put("nullable", true);
      if (!node.has("enum") && !mayBeEmpty.contains(path)) {
        node.put("minLength", 1);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("properties").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      walk(property.getValue(), path.isEmpty() ? property.getKey() : path + "." + property.getKey(), mayBeEmpty, kubernetesTypes);
    }
    walk(node.get("items"), path + "[]", mayBeEmpty, kubernetesTypes);
    walk(node.get("additionalProperties"), path + ".*", mayBeEmpty, kubernetesTypes);
  }
}
