package io.dilemma.worker.model.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/**
 * The session settings every shard graph runs with.
 *
 * <p>A shard holds one session per layer. With ORT's default per-session thread pools, every
 * session keeps its own spinning intra-op threads, and a 12-layer shard ran 9× slower than one
 * whole-model graph (1.9 vs 17.6 tokens/s, OPT-125m fp32). So all sessions share the
 * environment's global thread pool.
 */
public final class OrtSessions {
  private static final OrtEnvironment ENVIRONMENT = createEnvironment();
  private static volatile boolean globalThreads;

  private OrtSessions() {}

  private static OrtEnvironment createEnvironment() {
    try (OrtEnvironment.ThreadingOptions threading = new OrtEnvironment.ThreadingOptions()) {
      threading.setGlobalIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
      threading.setGlobalInterOpNumThreads(1);
      // Pool threads that spin after a run steal the CPU from the other shard processes and the
      // gRPC threads on a small edge box: a 3-process pipeline on 2 cores fell from 0.85 to 0.39
      // of the single process with spinning on (shard-worker/serving/README.md, Benchmarks).
      threading.setGlobalSpinControl(false);
      OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "dilemma", threading);
      globalThreads = true;
      return env;
    } catch (OrtException | IllegalStateException e) {
      // Someone created the environment first without global threads: fall back to per-session
      // pools that at least do not spin between runs.
      return OrtEnvironment.getEnvironment();
    }
  }

  public static OrtEnvironment environment() {
    return ENVIRONMENT;
  }

  public static OrtSession.SessionOptions options() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    // Otherwise ORT computes MatMulNBits in int8 and the activations are quantized too.
    options.addConfigEntry("session.qdq_matmulnbits_accuracy_level", "0");
    if (globalThreads) {
      options.disablePerSessionThreads();
    } else {
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
    }
    return options;
  }

  public static OrtSession create(byte[] model) throws OrtException {
    try (OrtSession.SessionOptions options = options()) {
      return ENVIRONMENT.createSession(model, options);
    }
  }

  public static OrtSession create(String path) throws OrtException {
    try (OrtSession.SessionOptions options = options()) {
      return ENVIRONMENT.createSession(path, options);
    }
  }
}
