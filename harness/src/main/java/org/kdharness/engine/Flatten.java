package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Maps {@code [n, c, h, w]} (or rows) to rows {@code [n, c·h·w]} in C order, as the graph flattens a CNN's last
 * block for its dense layers (and an MLP's image input); back, the gradient in the input's shape. Views only.
 */
public final class Flatten implements Layer {

    private long[] shape;

    @Override
    public INDArray forward(INDArray x, boolean training) {
        if (training) {
            shape = x.shape();
        }
        return x.reshape('c', x.size(0), x.length() / x.size(0));
    }

    @Override
    public INDArray backward(INDArray gradient) {
        return gradient.reshape('c', shape);
    }
}
