package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastCopyOp;
import org.nd4j.linalg.factory.Nd4j;

/** The mean of each channel of {@code [n, c, h, w]} maps, giving {@code [n, c]}; back, each pixel gets {@code 1/(h·w)} of it. */
public final class GlobalAvgPool extends BufferedLayer {

    private long[] inputShape;

    public GlobalAvgPool(org.nd4j.linalg.api.buffer.DataType type) {
        super(type);
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.size(0), x.size(1));
        x.mean(y, 2, 3);
        if (training) {
            inputShape = x.shape();
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.inputGradient(inputShape);
        INDArray scaled = buffers.get("scaled", gradient.shape()).assign(gradient).divi(inputShape[2] * inputShape[3]);
        Nd4j.exec(new BroadcastCopyOp(dx, scaled, dx, 0, 1));
        return dx;
    }
}
