package io.dilemma.worker.model.graph;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.runtime.OrtSessions;
import io.dilemma.worker.model.synth.OptPreset;
import io.dilemma.worker.model.synth.WeightSynthesizer;
import io.dilemma.worker.model.weights.OptWeights;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The decoder block's batch dimension: sessions of different past lengths in one run, each past
 * padded to the longest with values that are not the session's (what a reused buffer holds), each
 * session's outputs as when the block runs it alone on its unpadded past.
 */
class DecoderBlockBatchTest {
  private static final ModelDimensions DIMS = OptPreset.OPT_TINY.dimensions();
  private static final Offset<Float> TOLERANCE = Offset.offset(1e-5f);

  private final OrtEnvironment env = OrtSessions.environment();

  @Test
  void eachSessionOfAPaddedBatchGetsWhatItGetsAlone() throws Exception {
    OptWeights weights = new WeightSynthesizer(11).synthesize(DIMS);
    int d = DIMS.hiddenSize();
    int heads = DIMS.heads();
    int headDim = DIMS.headDim();
    int[] pastLength = {2, 7, 0, 5};
    int longest = 7;
    int sessions = pastLength.length;
    SplittableRandom random = new SplittableRandom(5);
    float[][] hidden = new float[sessions][];
    float[][][] pasts = new float[sessions][][];
    for (int s = 0; s < sessions; s++) {
      hidden[s] = gaussian(random, d);
      pasts[s] = new float[][] {gaussian(random, heads * pastLength[s] * headDim), gaussian(random, heads * pastLength[s] * headDim)};
    }
    float[][] paddedPast = {new float[sessions * heads * longest * headDim], new float[sessions * heads * longest * headDim]};
    for (float[] padded : paddedPast) {
      Arrays.fill(padded, 3f); // stale rows of another session
    }
    float[] mask = new float[sessions * (longest + 1)];
    for (int s = 0; s < sessions; s++) {
      for (int kv = 0; kv < 2; kv++) {
        for (int h = 0; h < heads; h++) {
          System.arraycopy(
              pasts[s][kv], h * pastLength[s] * headDim, paddedPast[kv], ((s * heads + h) * longest) * headDim, pastLength[s] * headDim);
        }
      }
      Arrays.fill(mask, s * (longest + 1) + pastLength[s], s * (longest + 1) + longest, Float.NEGATIVE_INFINITY);
    }

    try (OrtSession block = OrtSessions.create(DecoderBlockGraph.build(DIMS, weights.block(0), 32).toByteArray())) {
      float[] x = new float[sessions * d];
      for (int s = 0; s < sessions; s++) {
        System.arraycopy(hidden[s], 0, x, s * d, d);
      }
      Map<String, float[]> batched =
          run(block, x, new long[] {sessions, 1, d}, paddedPast, new long[] {sessions, heads, longest, headDim}, mask,
              new long[] {sessions, 1, 1, longest + 1});
      for (int s = 0; s < sessions; s++) {
        Map<String, float[]> alone =
            run(block, hidden[s], new long[] {1, 1, d}, pasts[s], new long[] {1, heads, pastLength[s], headDim},
                new float[pastLength[s] + 1], new long[] {1, 1, 1, pastLength[s] + 1});
        assertClose(slice(batched.get(DecoderBlockGraph.HIDDEN_OUT), s, d), alone.get(DecoderBlockGraph.HIDDEN_OUT), "hidden of session " + s);
        assertClose(slice(batched.get(DecoderBlockGraph.NEW_KEY), s, heads * headDim), alone.get(DecoderBlockGraph.NEW_KEY), "new key of session " + s);
        assertClose(
            slice(batched.get(DecoderBlockGraph.NEW_VALUE), s, heads * headDim), alone.get(DecoderBlockGraph.NEW_VALUE), "new value of session " + s);
        float[] received = slice(batched.get(DecoderBlockGraph.RECEIVED), s, longest + 1);
        float[] receivedAlone = alone.get(DecoderBlockGraph.RECEIVED);
        for (int j = 0; j < pastLength[s]; j++) {
          assertThat(received[j]).as("session %d, attention received by past position %d", s, j).isCloseTo(receivedAlone[j], TOLERANCE);
        }
        for (int j = pastLength[s]; j < longest; j++) {
          assertThat(received[j]).as("session %d, attention received by padding %d", s, j).isZero();
        }
        assertThat(received[longest]).as("session %d, attention its own token received", s).isCloseTo(receivedAlone[pastLength[s]], TOLERANCE);
      }
    }
  }

  private Map<String, float[]> run(OrtSession block, float[] hidden, long[] hiddenShape, float[][] past, long[] pastShape, float[] mask, long[] maskShape)
      throws Exception {
    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(hidden), hiddenShape);
        OnnxTensor keys = OnnxTensor.createTensor(env, FloatBuffer.wrap(past[0]), pastShape);
        OnnxTensor values = OnnxTensor.createTensor(env, FloatBuffer.wrap(past[1]), pastShape);
        OnnxTensor m = OnnxTensor.createTensor(env, FloatBuffer.wrap(mask), maskShape);
        OrtSession.Result result =
            block.run(Map.of(DecoderBlockGraph.HIDDEN, in, DecoderBlockGraph.PAST_KEY, keys, DecoderBlockGraph.PAST_VALUE, values, DecoderBlockGraph.MASK, m))) {
      Map<String, float[]> out = new java.util.HashMap<>();
      for (String name : new String[] {DecoderBlockGraph.HIDDEN_OUT, DecoderBlockGraph.NEW_KEY, DecoderBlockGraph.NEW_VALUE, DecoderBlockGraph.RECEIVED}) {
        FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] read = new float[buffer.remaining()];
        buffer.get(read);
        out.put(name, read);
      }
      return out;
    }
  }

  private static float[] slice(float[] batched, int session, int perSession) {
    assertThat(batched.length % perSession).isZero();
    return Arrays.copyOfRange(batched, session * perSession, (session + 1) * perSession);
  }

  private static float[] gaussian(SplittableRandom random, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("%s, value %d", what, i).isCloseTo(expected[i], TOLERANCE);
    }
  }
}
