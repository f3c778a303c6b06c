package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hidden activations a config may name besides ReLU ({@link Relu} is its own layer, in place): tanh, the logistic
 * sigmoid, leaky ReLU and ELU, by {@link ActivationFunction}'s ops.
 */
public final class Activation extends BufferedLayer {

    private final ActivationFunction function;
    private INDArray input;

    private Activation(ActivationFunction function, DataType type) {
        super(type);
        this.function = function;
    }

    /** The layer for the config's activation {@code name} ({@link Relu} for {@code relu}). */
    public static Layer of(String name, DataType type) {
        ActivationFunction f = ActivationFunction.of(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown activation '" + name + "'");
        }
        return f == ActivationFunction.RELU ? new Relu(type) : new Activation(f, type);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.shape());
        function.forward(x, y);
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.inputGradient(gradient.shape());
        function.backward(input, gradient, dx);
        return dx;
    }
}
