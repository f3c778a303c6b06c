package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** 2x2 max pooling with stride 2 over {@code [n, c, h, w]} maps: libnd4j's {@code maxpool2d} and {@code maxpool2d_bp}. */
public final class MaxPool2d implements Layer {

    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), extra (unused by max), data format (0: NCHW). */
    private static final int[] ARGS = {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0};

    private final Buffers buffers;
    private INDArray input;

    public MaxPool2d(org.nd4j.linalg.api.buffer.DataType type) {
        this.buffers = new Buffers(type);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2);
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d").addInputs(x).addOutputs(y).addIntegerArguments(ARGS).build());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", input.shape());
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(input, gradient).addOutputs(dx).addIntegerArguments(ARGS).build());
        return dx;
    }
}
