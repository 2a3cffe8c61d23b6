package io.dilemma.planinput;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.dilemma.contract.ContractJson;
import io.dilemma.contract.ModelProfile;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Parses the text of a {@code profile.json}, for the CLI's file and the operator's ConfigMap alike.
 * Every problem is an {@link InvalidInputException} in our words, never Jackson's: a syntax error
 * names its line and column, a misspelt field is refused by name (the contract records ignore
 * unknown fields so that old workers read new plans; a profile is input a person may have edited,
 * so a typo must not be silently dropped), and a value of the wrong type says what was expected.
 */
public final class ProfileJson {
  private ProfileJson() {}

  public static ModelProfile parse(byte[] json) {
    JsonNode tree;
    try {
      tree = ContractJson.mapper().readTree(json);
    } catch (JsonProcessingException e) {
      throw InvalidInputException.notValid(e, "JSON");
    } catch (IOException e) {
      throw new InvalidInputException(null, "", "cannot read: " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) throw new InvalidInputException(null, "", "empty file");
    if (!tree.isObject()) throw new InvalidInputException(null, "", "expected a JSON object at the top level");
    rejectUnknownFields(tree, ModelProfile.class, "");
    ModelProfile profile;
    try {
      profile = ContractJson.mapper().treeToValue(tree, ModelProfile.class);
    } catch (MismatchedInputException e) {
      String path = fieldPath(e);
      throw new InvalidInputException(null, path, "expected " + expected(e.getTargetType()) + ", got " + shown(at(tree, e)));
    } catch (JsonMappingException e) {
      throw new InvalidInputException(null, fieldPath(e), firstLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(null, "", firstLine(e.getOriginalMessage()));
    }
    if (profile.schemaVersion() != ModelProfile.SCHEMA_VERSION) {
      throw new InvalidInputException(
          null, "schemaVersion", "expected " + ModelProfile.SCHEMA_VERSION + ", got " + profile.schemaVersion());
    }
    return profile;
  }

  private static void rejectUnknownFields(JsonNode node, Type type, String path) {
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : type instanceof Class<?> c ? c : Object.class;
    if (raw.isRecord() && node.isObject()) {
      List<RecordComponent> components = Arrays.asList(raw.getRecordComponents());
      node.fieldNames()
          .forEachRemaining(
              name -> {
                if (components.stream().noneMatch(c -> c.getName().equals(name))) {
                  String known = components.stream().map(RecordComponent::getName).sorted().collect(Collectors.joining(", "));
                  throw new InvalidInputException(null, join(path, name), "unknown field (expected one of " + known + ")");
                }
              });
      for (RecordComponent component : components) {
        JsonNode child = node.get(component.getName());
        if (child != null) rejectUnknownFields(child, component.getGenericType(), join(path, component.getName()));
      }
    } else if (Collection.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType p) {
      for (int i = 0; i < node.size(); i++) {
        rejectUnknownFields(node.get(i), p.getActualTypeArguments()[0], path + "[" + i + "]");
      }
    }
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  static String fieldPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) path.append('.');
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static JsonNode at(JsonNode tree, JsonMappingException e) {
    JsonNode node = tree;
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (node == null) return null;
      node = ref.getFieldName() != null ? node.get(ref.getFieldName()) : node.get(ref.getIndex());
    }
    return node;
  }

  private static String expected(Class<?> type) {
    if (type == null) return "another kind of value";
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) return "a number";
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) return "a whole number";
    if (type == boolean.class || type == Boolean.class) return "true or false";
    if (type == String.class) return "a string";
    if (type.isEnum()) {
      return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
    }
    if (Collection.class.isAssignableFrom(type)) return "a list";
    return "an object";
  }

  private static String shown(JsonNode value) {
    if (value == null || value.isNull()) return "null";
    if (value.isTextual()) return '"' + value.asText() + '"';
    if (value.isArray()) return "a list";
    if (value.isObject()) return "an object";
    return value.toString();
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
  }
}
