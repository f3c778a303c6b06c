/**
 * Training: the epoch loop with early stopping and divergence checks, the layer engine's step with the terms' hand
 * gradients, the optimiser step, inference, the loss probe, metrics.
 *
 * <p>Why one loop for teachers and students: a teacher is a network trained on hard labels, with the same batches,
 * optimiser and checks.
 */
package org.kdharness.train;
