package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * {@code x W + b} on {@code [n, in]} rows, with weights {@code [in, out]} and bias {@code [1, out]}: two GEMMs
 * forward (the bias as a rank-1 product of a column of ones, then {@code x W} accumulated into it), three back
 * (the bias gradient as the column of ones times the gradient).
 *
 * <p>Why the bias as GEMMs: ND4J's row-vector add and column sum cost 75 and 65 us on a 128x256 batch in
 * 1.0.0-M2.1 (1 thread), several times their memory traffic; a small MLP student's step is about 2 ms.
 */
public final class Linear extends BufferedLayer {

    private final Parameter weight;
    private final Parameter bias;
    private INDArray input;

    public Linear(Parameter weight, Parameter bias) {
        super(weight.value().dataType());
        this.weight = weight;
        this.bias = bias;
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.size(0), weight.value().size(1));
        Nd4j.gemm(buffers.ones(x.size(0)), bias.value(), y, false, false, 1.0, 0.0);
        Nd4j.gemm(x, weight.value(), y, false, false, 1.0, 1.0);
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public void backwardParameters(INDArray gradient) {
        Nd4j.gemm(input, gradient, weight.gradient(), true, false, 1.0, 0.0);
        Nd4j.gemm(buffers.ones(input.size(0)), gradient, bias.gradient(), true, false, 1.0, 0.0);
    }

    @Override
    public INDArray backward(INDArray gradient) {
        backwardParameters(gradient);
        INDArray dx = buffers.inputGradient(input.shape());
        Nd4j.gemm(gradient, weight.value(), dx, false, true, 1.0, 0.0);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }
}
