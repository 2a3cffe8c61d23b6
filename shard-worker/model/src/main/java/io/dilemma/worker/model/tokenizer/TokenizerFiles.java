package io.dilemma.worker.model.tokenizer;

/** The byte-level BPE files of a model directory, relative to it, as its manifest names them. */
public record TokenizerFiles(String vocab, String merges) {}
