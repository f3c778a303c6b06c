package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code max(x, 0)}, in place on its input (the layer before it owns that buffer and does not
 * read it again), with libnd4j's {@code relu_bp} for the backward pass. The output stands in for
 * the input in the backward pass: both are positive at the same places.
 */
public final class Relu implements Layer {

    private final Buffers buffers;
    private INDArray output;

    public Relu(org.nd4j.linalg.api.buffer.DataType type) {
        this.buffers = new Buffers(type);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        Nd4j.exec(new RectifiedLinear(x, x, 0.0));
        if (training) {
            output = x;
        }
        return x;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", gradient.shape());
        Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(output, gradient).addOutputs(dx).addFloatingPointArguments(0.0).build());
        return dx;
    }
}
