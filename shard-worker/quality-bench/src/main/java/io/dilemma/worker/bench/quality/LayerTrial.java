package io.dilemma.worker.bench.quality;

import io.dilemma.worker.bench.quality.HeldOutEvaluator.Score;

/** One layer quantized alone at {@code bits}: the weight proxy and what it did to held-out text. */
record LayerTrial(int layer, int bits, double weightError, Score score) {}
