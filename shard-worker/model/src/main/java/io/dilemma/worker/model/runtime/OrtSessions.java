package io.dilemma.worker.model.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/** The session settings every shard graph runs with. */
public final class OrtSessions {
  private OrtSessions() {}

  public static OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }

  public static OrtSession.SessionOptions options() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // Otherwise ORT computes MatMulNBits in int8 and the activations are quantized too.
    options.addConfigEntry("session.qdq_matmulnbits_accuracy_level", "0");
    return options;
  }

  public static OrtSession create(byte[] model) throws OrtException {
    try (OrtSession.SessionOptions options = options()) {
      return environment().createSession(model, options);
    }
  }

  public static OrtSession create(String path) throws OrtException {
    try (OrtSession.SessionOptions options = options()) {
      return environment().createSession(path, options);
    }
  }
}
