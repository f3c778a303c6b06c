package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training, the input times the mask the step drew for this batch ({@link #mask}, values
 * {@code 0} or {@code 1/(1-p)}); at inference, the input itself.
 *
 * <p>Why the mask comes from outside: the step draws every layer's mask from the trial's seeded generator in a
 * fixed order (as the graph's masks were fed), so a seed gives the same masks, and the same weights, on every run.
 */
public final class Dropout extends BufferedLayer {

    private final double drop;
    private INDArray mask;

    public Dropout(double drop, DataType type) {
        super(type);
        this.drop = drop;
    }

    /** The drop probability p. */
    public double drop() {
        return drop;
    }

    /** Sets the mask of the next training forward pass, {@code [n, width]}, kept by reference. */
    public void mask(INDArray mask) {
        this.mask = mask;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        if (!training) {
            return x;
        }
        if (mask == null || mask.size(0) != x.size(0)) {
            throw new IllegalStateException("no dropout mask for a batch of " + x.size(0));
        }
        return x.mul(mask, buffers.output(training, x.shape()));
    }

    @Override
    public INDArray backward(INDArray gradient) {
        return gradient.mul(mask, buffers.inputGradient(gradient.shape()));
    }
}
