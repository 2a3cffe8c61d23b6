package io.dilemma.worker.model.cli;

import io.dilemma.worker.model.core.ModelDimensions;
import io.dilemma.worker.model.weights.FloatTensor;
import io.dilemma.worker.model.weights.OptWeights;

/**
 * OPT's forward pass written out in plain Java from Hugging Face's modeling_opt, independent of
 * the ONNX graph builders: the reference the graphs are checked against.
 */
final class OptReferenceForward {
  private OptReferenceForward() {}

  /** Logits {@code [tokens × vocab]} of a sequence starting at position 0. */
  static float[] logits(OptWeights w, long[] tokens) {
    ModelDimensions dims = w.dimensions();
    int n = tokens.length;
    int d = dims.hiddenSize();
    float[][] x = new float[n][];
    for (int t = 0; t < n; t++) {
      float[] token = row(w.get(OptWeights.EMBED_TOKENS), (int) tokens[t]);
      if (dims.projectsEmbedding()) {
        token = linear(w.get(OptWeights.PROJECT_IN), null, token);
      }
      x[t] = add(token, row(w.get(OptWeights.EMBED_POSITIONS), t + 2));
    }
    for (int layer = 0; layer < dims.layers(); layer++) {
      x = block(w, layer, x);
    }
    float[] logits = new float[n * dims.vocabSize()];
    for (int t = 0; t < n; t++) {
      float[] h = x[t];
      if (dims.preLayerNorm()) {
        h = layerNorm(h, w.get(OptWeights.FINAL_NORM + ".weight"), w.get(OptWeights.FINAL_NORM + ".bias"));
      }
      if (dims.projectsEmbedding()) {
        h = linear(w.get(OptWeights.PROJECT_OUT), null, h);
      }
      System.arraycopy(linear(w.get(OptWeights.EMBED_TOKENS), null, h), 0, logits, t * dims.vocabSize(), dims.vocabSize());
    }
    return logits;
  }

  private static float[][] block(OptWeights w, int layer, float[][] x) {
    ModelDimensions dims = w.dimensions();
    int n = x.length;
    int heads = dims.heads();
    int hd = dims.headDim();
    float[][] in = new float[n][];
    for (int t = 0; t < n; t++) {
      in[t] = dims.preLayerNorm() ? norm(w, layer, "self_attn_layer_norm", x[t]) : x[t];
    }
    float[][] q = new float[n][];
    float[][] k = new float[n][];
    float[][] v = new float[n][];
    for (int t = 0; t < n; t++) {
      q[t] = scale(proj(w, layer, "self_attn.q_proj", in[t]), (float) (1 / Math.sqrt(hd)));
      k[t] = proj(w, layer, "self_attn.k_proj", in[t]);
      v[t] = proj(w, layer, "self_attn.v_proj", in[t]);
    }
    float[][] out = new float[n][];
    for (int t = 0; t < n; t++) {
      float[] context = new float[dims.hiddenSize()];
      for (int h = 0; h < heads; h++) {
        double[] scores = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
          double dot = 0;
          for (int i = 0; i < hd; i++) {
            dot += q[t][h * hd + i] * k[s][h * hd + i];
          }
          scores[s] = dot;
          max = Math.max(max, dot);
        }
        double sum = 0;
        for (int s = 0; s <= t; s++) {
          scores[s] = Math.exp(scores[s] - max);
          sum += scores[s];
        }
        for (int s = 0; s <= t; s++) {
          for (int i = 0; i < hd; i++) {
            context[h * hd + i] += (float) (scores[s] / sum * v[s][h * hd + i]);
          }
        }
      }
      float[] h = add(x[t], proj(w, layer, "self_attn.out_proj", context));
      if (!dims.preLayerNorm()) {
        h = norm(w, layer, "self_attn_layer_norm", h);
      }
      float[] ffnIn = dims.preLayerNorm() ? norm(w, layer, "final_layer_norm", h) : h;
      float[] up = proj(w, layer, "fc1", ffnIn);
      for (int i = 0; i < up.length; i++) {
        up[i] = Math.max(0, up[i]);
      }
      h = add(h, proj(w, layer, "fc2", up));
      out[t] = dims.preLayerNorm() ? h : norm(w, layer, "final_layer_norm", h);
    }
    return out;
  }

  private static float[] proj(OptWeights w, int layer, String name, float[] x) {
    return linear(w.layer(layer, name + ".weight"), w.layer(layer, name + ".bias"), x);
  }

  private static float[] norm(OptWeights w, int layer, String name, float[] x) {
    return layerNorm(x, w.layer(layer, name + ".weight"), w.layer(layer, name + ".bias"));
  }

  private static float[] linear(FloatTensor weight, FloatTensor bias, float[] x) {
    int out = weight.rows();
    int in = weight.columns();
    float[] y = new float[out];
    for (int o = 0; o < out; o++) {
      double sum = bias == null ? 0 : bias.data()[o];
      for (int i = 0; i < in; i++) {
        sum += weight.data()[o * in + i] * x[i];
      }
      y[o] = (float) sum;
    }
    return y;
  }

  private static float[] layerNorm(float[] x, FloatTensor gamma, FloatTensor beta) {
    double mean = 0;
    for (float v : x) {
      mean += v;
    }
    mean /= x.length;
    double var = 0;
    for (float v : x) {
      var += (v - mean) * (v - mean);
    }
    var /= x.length;
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (float) ((x[i] - mean) / Math.sqrt(var + 1e-5) * gamma.data()[i] + beta.data()[i]);
    }
    return y;
  }

  private static float[] row(FloatTensor table, int index) {
    int width = table.columns();
    return java.util.Arrays.copyOfRange(table.data(), index * width, (index + 1) * width);
  }

  private static float[] add(float[] a, float[] b) {
    float[] y = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      y[i] = a[i] + b[i];
    }
    return y;
  }

  private static float[] scale(float[] a, float factor) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= factor;
    }
    return a;
  }
}
