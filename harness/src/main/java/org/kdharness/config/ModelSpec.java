package org.kdharness.config;

import java.util.List;

/**
 * Architecture of a teacher or student network.
 *
 * <p>Why: teacher and student are described by the same small record so that the teacher
 * cache key, the trial id and the report all derive from one value. Two families are
 * supported: {@code mlp} (dense hidden layers) and {@code cnn} (conv blocks then dense
 * layers). Hidden layers are numbered from 1 in the order the data meets them; those
 * numbers (or the names {@code h1}, {@code h2}, ...) are what layer mappings refer to.
 *
 * @param type       {@code mlp} or {@code cnn}
 * @param hidden     widths of the dense hidden layers (after any conv blocks)
 * @param conv       conv blocks (cnn only), each a hidden layer of its own
 * @param activation hidden activation: relu, tanh, sigmoid, leaky_relu, elu
 * @param dropout    drop probability applied after each dense hidden layer in training
 */
public record ModelSpec(
        String type,
        List<Integer> hidden,
        List<ConvBlock> conv,
        String activation,
        Double dropout) {

    /** Canonical form with defaults filled in, so equal networks hash equally. */
    public ModelSpec {
        type = type == null ? "mlp" : type.toLowerCase();
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        conv = conv == null ? List.of() : List.copyOf(conv);
        activation = activation == null ? "relu" : activation.toLowerCase();
        dropout = dropout == null ? 0.0 : dropout;
    }

    /** Short readable name, e.g. {@code mlp[64, 64]} or {@code cnn[conv16, conv32][64]}. */
    public String shortName() {
        String c = conv.isEmpty() ? "" : conv.stream().map(b -> "conv" + b.filters()).toList().toString();
        return type + c + hidden;
    }

    /** Number of hidden layers a mapping may refer to (conv blocks first, then dense). */
    public int hiddenLayerCount() {
        return conv.size() + hidden.size();
    }

    /**
     * One convolution block: 3x3-style conv with SAME padding, activation, then optional
     * 2x2 max pooling.
     *
     * @param filters output channels
     * @param kernel  square kernel size
     * @param pool    whether a 2x2/2 max pool follows
     */
    public record ConvBlock(int filters, Integer kernel, Boolean pool) {
        public ConvBlock {
            kernel = kernel == null ? 3 : kernel;
            pool = pool == null ? Boolean.TRUE : pool;
        }
    }
}
