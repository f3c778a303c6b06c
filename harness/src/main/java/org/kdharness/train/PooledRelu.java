package org.kdharness.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bias, ReLU and 2x2 stride-2 max pooling (floor) of one convolution's output, for one
 * batch size, computed in the order that touches the least memory: ND4J's own
 * {@code maxpool2d} op pools the bias-free convolution output {@code z}, and the bias and
 * ReLU are applied to the pooled quarter. The backward pass masks the pooled gradient
 * with the ReLU, sums it into the bias gradient, and lets {@code maxpool2d_bp} route it.
 *
 * <p>Why this order is exact: a per-channel bias and ReLU are monotone, so they commute
 * with the maximum ({@code max(relu(z + b)) = relu(max(z) + b)}), and each pooled gradient
 * reaches one position, so the bias gradient is the sum of the pooled gradients. Only
 * windows whose values round to a tie after adding the bias can send their gradient to a
 * different (equally maximal) position than the graph.
 *
 * <p>Why ND4J's op: with oneDNN it pools a {@code [128, 28, 28, 32]} map in about
 * 0.3 ms and routes the gradient in about 1 ms (measured here at one thread), where the
 * Java loops it replaces, bias and ReLU over the full map, pooling, unpooling and the ReLU
 * backward, cost 12 ms of a 45 ms CNN-teacher step (1 thread, JFR and timers), and the
 * full-size map no longer goes back and forth between native and Java memory.
 */
final class PooledRelu {

    private final INDArray z4, pooled, pooledGradient;
    private final DynamicCustomOp pool;
    private final float[] pooledHost;
    private DynamicCustomOp poolBackward;
    private INDArray poolBackwardTarget;

    /** @param z the convolution output {@code [rows*h*h, c]} (NHWC rows), read at every {@link #forward} */
    PooledRelu(INDArray z, int rows, int h, int c) {
        this.z4 = z.reshape(rows, h, h, c);
        this.pooled = Nd4j.create(DataType.FLOAT, rows, h / 2, h / 2, c);
        this.pooledGradient = pooled.ulike();
        this.pool = DynamicCustomOp.builder("maxpool2d").addInputs(z4).addOutputs(pooled).addIntegerArguments(poolArgs()).build();
        this.pooledHost = new float[Math.toIntExact(pooled.length())];
    }

    /** kernel 2x2, stride 2, no padding, dilation 1, not SAME, (unused), NHWC; a fresh array per op. */
    private static int[] poolArgs() {
        return new int[]{2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 1};
    }

    /** The block's output, {@code relu(maxpool(z) + bias)} as NHWC {@code [rows, h/2, h/2, c]}, in a reused array. */
    float[] forward(float[] bias) {
        Nd4j.exec(pool);
        pooled.data().asNioFloat().get(0, pooledHost);
        ConvKernels.addBiasRelu(pooledHost, bias, pooledHost, pooledHost.length);
        return pooledHost;
    }

    /**
     * From the gradient at {@link #forward}'s output ({@code dOut}, overwritten with the
     * ReLU-masked gradient) to the pre-activation gradient {@code dz} {@code [rows*h*h, c]}
     * and the bias gradient.
     */
    void backward(float[] dOut, INDArray dz, float[] biasGradient) {
        if (poolBackward == null) {
            poolBackward = DynamicCustomOp.builder("maxpool2d_bp").addInputs(z4, pooledGradient)
                    .addOutputs(dz.reshape(z4.shape())).addIntegerArguments(poolArgs()).build();
            poolBackwardTarget = dz;
        } else if (dz != poolBackwardTarget) {
            // the op writes into the view it was built with
            throw new IllegalStateException("PooledRelu.backward writes into one dz array per instance");
        }
        // the ReLU passes the gradient where its output is positive
        ConvKernels.reluBackward(pooledHost, dOut, pooledHost.length);
        ConvKernels.columnSums(dOut, pooledHost.length, biasGradient);
        pooledGradient.data().asNioFloat().put(0, dOut);
        Nd4j.exec(poolBackward);
    }
}
