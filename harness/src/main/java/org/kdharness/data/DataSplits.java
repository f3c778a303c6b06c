package org.kdharness.data;

/**
 * The train / validation / test splits every trial of a sweep uses.
 *
 * <p>Why: model selection (best configuration, early stopping) reads validation only;
 * test is reported, never tuned on.
 *
 * @param train      training examples
 * @param validation held-out part of the training files
 * @param test       the official test files
 * @param source     provenance: where the data came from and how it was split
 */
public record DataSplits(ImageData train, ImageData validation, ImageData test, String source) {
}
