package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code max(x, 0)}, in place on its input (the layer before it owns that buffer and does not
 * read it again). Back, {@code dx = dy·[y > 0]}: the output stands in for the input (both are
 * positive at the same places), as ND4J's {@code Step} mask and a multiply, which took 1.45 ms
 * where libnd4j's fused {@code relu_bp} op took 4.8 ms on {@code [128, 16, 28, 28]} (1 thread),
 * 7 % of a resnet20 step (JFR).
 */
public final class Relu extends BufferedLayer {

    private INDArray output;

    public Relu(DataType type) {
        super(type);
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
        // the mask into dx, then multiplied in place: one map less per ReLU than a separate mask
        INDArray dx = buffers.inputGradient(gradient.shape());
        Nd4j.exec(new Step(output, dx, 0.0));
        return dx.muli(gradient);
    }
}
