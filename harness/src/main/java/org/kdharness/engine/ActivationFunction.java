package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.EluBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.strict.ELU;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hidden activations a config may name, each as libnd4j's op and its derivative op, with the graph builder's
 * constants ({@code models.Activations}: leaky slope 0.01, ELU alpha 1), so every path computes what the graph would.
 *
 * <p>Why one enum: a config names an activation once, and the engine's {@link Activation} layer runs it; every backward
 * op takes the pre-activation and the incoming gradient, writing into a caller-owned array.
 */
public enum ActivationFunction {
    RELU, TANH, SIGMOID, LEAKY_RELU, ELU;

    /** Slope of leaky ReLU below zero, as in the graph builder. */
    private static final double LEAK = 0.01;

    /** The activation of a config name, or null for a name the engine lacks. */
    public static ActivationFunction of(String name) {
        return switch (name) {
            case "relu" -> RELU;
            case "tanh" -> TANH;
            case "sigmoid" -> SIGMOID;
            case "leaky_relu" -> LEAKY_RELU;
            case "elu" -> ELU;
            default -> null;
        };
    }

    /**
     * Whether f never decreases (every activation offered today): then it commutes with a maximum, so a block may pool
     * before activating (a quarter of the values) and get the same outputs, and gradients to rounding.
     */
    public boolean nonDecreasing() {
        return true;
    }

    /** {@code out = f(z)}. */
    public void forward(INDArray z, INDArray out) {
        switch (this) {
            case RELU -> Nd4j.exec(new RectifiedLinear(z, out, 0.0));
            case TANH -> Nd4j.exec(new Tanh(z, out));
            case SIGMOID -> Nd4j.exec(new Sigmoid(z, out));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLU(z, out, LEAK));
            case ELU -> Nd4j.exec(new ELU(z, out, 1.0));
        }
    }

    /** {@code dz = f'(z) * da}. */
    public void backward(INDArray z, INDArray da, INDArray dz) {
        switch (this) {
            case RELU -> Nd4j.exec(new RectifiedLinearDerivative(z, da, dz));
            case TANH -> Nd4j.exec(new TanhDerivative(z, da, dz));
            case SIGMOID -> Nd4j.exec(new SigmoidDerivative(z, da, dz));
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLUBp(z, da, dz, LEAK));
            case ELU -> Nd4j.exec(new EluBp(z, da, dz, 1.0));
        }
    }
}
