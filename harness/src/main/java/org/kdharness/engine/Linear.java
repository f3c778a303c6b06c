package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** {@code x W + b} on {@code [n, in]} rows, with weights {@code [in, out]} and bias {@code [1, out]}: two GEMMs back. */
public final class Linear implements Layer {

    private final Parameter weight;
    private final Parameter bias;
    private final Buffers buffers;
    private INDArray input;

    public Linear(Parameter weight, Parameter bias) {
        this.weight = weight;
        this.bias = bias;
        this.buffers = new Buffers(weight.value().dataType());
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.size(0), weight.value().size(1));
        Nd4j.gemm(x, weight.value(), y, false, false, 1.0, 0.0);
        y.addiRowVector(bias.value());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public void backwardParameters(INDArray gradient) {
        Nd4j.gemm(input, gradient, weight.gradient(), true, false, 1.0, 0.0);
        gradient.sum(bias.gradient().reshape(bias.value().length()), 0);
    }

    @Override
    public INDArray backward(INDArray gradient) {
        backwardParameters(gradient);
        INDArray dx = buffers.get("dx", input.shape());
        Nd4j.gemm(gradient, weight.value(), dx, false, true, 1.0, 0.0);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
