package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code k x k} average pooling with stride {@code k} over {@code [n, c, h, w]} maps (no padding): libnd4j's
 * {@code avgpool2d} and {@code avgpool2d_bp}. What brings a larger feature map onto a smaller one's size before a
 * hint compares them ({@code distill.Projections}).
 */
public final class AvgPool2d implements Layer {

    private final int k;
    private final Buffers buffers;
    private INDArray input;

    public AvgPool2d(int k, DataType type) {
        this.k = k;
        this.buffers = new Buffers(type);
    }

    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), divisor (1: the whole window), data format (0: NCHW). */
    private int[] arguments() {
        return new int[]{k, k, k, k, 0, 0, 1, 1, 0, 1, 0};
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.size(0), x.size(1), x.size(2) / k, x.size(3) / k);
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d").addInputs(x).addOutputs(y).addIntegerArguments(arguments()).build());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", input.shape());
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d_bp").addInputs(input, gradient).addOutputs(dx).addIntegerArguments(arguments()).build());
        return dx;
    }
}
