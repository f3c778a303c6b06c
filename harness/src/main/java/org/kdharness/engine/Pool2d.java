package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code k x k} pooling with stride {@code k} over {@code [n, c, h, w]} maps, no padding: the maximum
 * (VGG's 2x2 pooling) or the average (what brings a larger feature map onto a smaller one's size before
 * a hint compares them, as {@code distill.Projections} builds it), by libnd4j's {@code maxpool2d} /
 * {@code avgpool2d} and their {@code _bp} ops (oneDNN's on the CPU).
 */
public final class Pool2d extends BufferedLayer {

    private final String op;
    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), divisor (1: the whole window; unused by max), data format (0: NCHW). */
    private final int[] arguments;
    private final int k;
    private INDArray input;

    private Pool2d(String op, int k, DataType type) {
        super(type);
        this.op = op;
        this.k = k;
        this.arguments = new int[]{k, k, k, k, 0, 0, 1, 1, 0, 1, 0};
    }

    public static Pool2d max(int k, DataType type) {
        return new Pool2d("maxpool2d", k, type);
    }

    public static Pool2d average(int k, DataType type) {
        return new Pool2d("avgpool2d", k, type);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.size(0), x.size(1), x.size(2) / k, x.size(3) / k);
        Nd4j.exec(DynamicCustomOp.builder(op).addInputs(x).addOutputs(y).addIntegerArguments(arguments).build());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.inputGradient(input.shape());
        Nd4j.exec(DynamicCustomOp.builder(op + "_bp").addInputs(input, gradient).addOutputs(dx).addIntegerArguments(arguments).build());
        return dx;
    }
}
