package io.dilemma.worker.serving.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request that ends in an OpenAI-style error object {@code {"error": {"message", "type", "param",
 * "code"}}} with an HTTP status. Thrown by endpoints; the dispatcher writes it.
 */
final class ApiError extends Exception {
  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Integer shard;

  ApiError(int status, String type, String param, String code, String message, Integer shard) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.shard = shard;
  }

  /** The client must fix the request; {@code param} names the field, or is null for the body as a whole. */
  static ApiError badRequest(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, null, message, null);
  }

  /** A field the API defines but this server does not implement. */
  static ApiError unsupported(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, "unsupported_parameter", message, null);
  }

  int status() {
    return status;
  }

  ObjectNode body() {
    ObjectNode root = JsonBodies.JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", getMessage());
    error.put("type", type);
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    if (shard != null) {
      error.put("shard", shard);
    }
    return root;
  }
}
