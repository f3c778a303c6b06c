package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution over {@code [n, c, h, w]} maps with PyTorch's padding ({@code k/2} on every
 * side, so a stride-2 3x3 convolution of a 32-pixel map gives 16 pixels, as PyTorch's does) and
 * weights {@code [k, k, in, out]}; libnd4j's {@code conv2d} and {@code conv2d_bp} ops, which run
 * oneDNN's convolutions on the CPU and cuDNN's on the GPU.
 *
 * <p>The backward pass runs {@code conv2d_bp} on the whole batch or on chunks of its rows, whichever
 * {@link ChunkChoice} measured faster for this layer: libnd4j asks oneDNN for
 * {@code convolution_auto}, which picks Winograd for some shapes where oneDNN's direct kernels
 * are several times faster (ONEDNN_VERBOSE: {@code jit_wino_4x3} for 128 channels at 14x14 and
 * 256 at 7x7, batch 128, 1 thread: 525 ms for the whole batch, 89 ms in chunks of 8 rows, where
 * oneDNN's heuristic takes the direct kernel; at 64 channels, 28x28, the whole batch is faster).
 */
public final class Conv2d implements Layer {

    private final Parameter weight;
    private final Parameter bias;
    private final int kernel;
    private final int stride;
    private final long outChannels;
    private final Buffers buffers;
    private INDArray input;
    private final ChunkChoice chunks = new ChunkChoice();

    /**
     * @param weight {@code [k, k, in, out]}
     * @param bias   {@code [out]}, or null for none (before BatchNorm)
     */
    public Conv2d(Parameter weight, Parameter bias, int stride) {
        this.weight = weight;
        this.bias = bias;
        this.kernel = Math.toIntExact(weight.value().size(0));
        this.stride = stride;
        this.outChannels = weight.value().size(3);
        this.buffers = new Buffers(weight.value().dataType());
    }

    private long out(long size) {
        return (size + 2L * (kernel / 2) - kernel) / stride + 1;
    }

    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit), data format (0: NCHW), weight format (0: [kH, kW, iC, oC]). */
    private int[] arguments() {
        return new int[]{kernel, kernel, stride, stride, kernel / 2, kernel / 2, 1, 1, 0, 0, 0};
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.size(0), outChannels, out(x.size(2)), out(x.size(3)));
        INDArray[] in = bias == null ? new INDArray[]{x, weight.value()} : new INDArray[]{x, weight.value(), bias.value()};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in).addOutputs(y).addIntegerArguments(arguments()).build());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", input.shape());
        long n = input.size(0);
        int strategy = chunks.choose(n);
        long start = System.nanoTime();
        int rows = ChunkChoice.ROWS[strategy];
        if (rows == 0 || rows >= n) {
            backward(input, gradient, dx, weight.gradient(), bias == null ? null : bias.gradient());
        } else {
            // the parameters' gradients are sums over the rows: chunk by chunk into scratch, added up
            INDArray dw = buffers.get("dw", weight.value().shape()), db = bias == null ? null : buffers.get("db", bias.value().shape());
            for (long from = 0; from < n; from += rows) {
                long to = Math.min(n, from + rows);
                boolean first = from == 0;
                backward(slice(input, from, to), slice(gradient, from, to), slice(dx, from, to), first ? weight.gradient() : dw,
                        bias == null ? null : first ? bias.gradient() : db);
                if (!first) {
                    weight.gradient().addi(dw);
                    if (bias != null) {
                        bias.gradient().addi(db);
                    }
                }
            }
        }
        chunks.record(n, strategy, System.nanoTime() - start);
        return dx;
    }

    private static INDArray slice(INDArray a, long from, long to) {
        return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    }

    private void backward(INDArray x, INDArray gradient, INDArray dx, INDArray dw, INDArray db) {
        INDArray[] in = bias == null ? new INDArray[]{x, weight.value(), gradient} : new INDArray[]{x, weight.value(), bias.value(), gradient};
        INDArray[] out = bias == null ? new INDArray[]{dx, dw} : new INDArray[]{dx, dw, db};
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in).addOutputs(out).addIntegerArguments(arguments()).build());
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>(List.of(weight));
        if (bias != null) {
            out.add(bias);
        }
        return out;
    }
}
