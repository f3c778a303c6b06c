package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.EluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.ELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hidden activations a config may name besides ReLU ({@link Relu} is its own layer, in place): tanh, the
 * logistic sigmoid, leaky ReLU (slope 0.01 below zero) and ELU (alpha 1), each by libnd4j's op and its
 * derivative op, with the graph builder's constants ({@code models.Activations}), so the engine computes what
 * the graph would.
 */
public final class Activation implements Layer {

    /** The non-ReLU activations, by config name. */
    private enum Kind {
        TANH, SIGMOID, LEAKY_RELU, ELU
    }

    /** Slope of leaky ReLU below zero, as in the graph builder. */
    private static final double LEAK = 0.01;

    private final Kind kind;
    private final Buffers buffers;
    private INDArray input;

    private Activation(Kind kind, DataType type) {
        this.kind = kind;
        this.buffers = new Buffers(type);
    }

    /** The layer for the config's activation {@code name} ({@link Relu} for {@code relu}). */
    public static Layer of(String name, DataType type) {
        return switch (name) {
            case "relu" -> new Relu(type);
            case "tanh" -> new Activation(Kind.TANH, type);
            case "sigmoid" -> new Activation(Kind.SIGMOID, type);
            case "leaky_relu" -> new Activation(Kind.LEAKY_RELU, type);
            case "elu" -> new Activation(Kind.ELU, type);
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'");
        };
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.shape());
        switch (kind) {
            case TANH -> Nd4j.exec(new Tanh(x, y));
            case SIGMOID -> Nd4j.exec(new Sigmoid(x, y));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLU(x, y, LEAK));
            case ELU -> Nd4j.exec(new ELU(x, y, 1.0));
        }
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", gradient.shape());
        switch (kind) {
            case TANH -> Nd4j.exec(new TanhDerivative(input, gradient, dx));
            case SIGMOID -> Nd4j.exec(new SigmoidDerivative(input, gradient, dx));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLUBp(input, gradient, dx, LEAK));
            case ELU -> Nd4j.exec(new EluBp(input, gradient, dx, 1.0));
        }
        return dx;
    }
}
