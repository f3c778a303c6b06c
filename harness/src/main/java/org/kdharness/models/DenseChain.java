package org.kdharness.models;

import java.util.List;

/**
 * The parameters of a network's dense layers in order (all of an MLP; those after a
 * CNN's {@link ConvChain}), and the hidden activation.
 *
 * <p>Why: a dense chain is simple enough to back-propagate by hand on preallocated
 * buffers ({@code org.kdharness.train.DenseStep}), which is several times faster than the
 * generic graph for the small students KD sweeps train by the hundred.
 *
 * @param activation hidden activation name (as in the config)
 * @param weights    weight variables {@code [in, out]}, hidden layers first, output layer last
 * @param biases     bias variables {@code [1, out]}, aligned with {@code weights}
 */
public record DenseChain(String activation, List<String> weights, List<String> biases) {

    public DenseChain {
        weights = List.copyOf(weights);
        biases = List.copyOf(biases);
    }

    /** Number of hidden layers. */
    public int hiddenLayers() {
        return weights.size() - 1;
    }
}
