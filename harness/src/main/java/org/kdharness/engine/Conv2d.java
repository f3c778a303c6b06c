package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution over {@code [n, c, h, w]} maps with PyTorch's padding ({@code k/2} on every
 * side, so a stride-2 3x3 convolution of a 32-pixel map gives 16 pixels, as PyTorch's does), or a
 * plain CNN block's SAME padding ({@link #same}, as the graph builds it), and
 * weights {@code [k, k, in, out]}; libnd4j's {@code conv2d} and {@code conv2d_bp} ops, which run
 * oneDNN's convolutions on the CPU and cuDNN's on the GPU.
 *
 * <p>The backward pass of a wide 3x3 convolution (input x output channels at least 128 x 128) runs
 * {@code conv2d_bp} on chunks of {@value #CHUNK} rows: libnd4j asks oneDNN for {@code convolution_auto},
 * which picks Winograd ({@code jit_wino_4x3}, ONEDNN_VERBOSE) for the backward passes of such layers
 * at batch 128, where oneDNN's direct kernel, which it picks for 8 rows, is several times faster.
 * Measured (one thread, batch 128, ms whole batch vs chunks of 8): 256 channels at 7x7 332 vs 96,
 * 128 at 14x14 512 vs 92, 128 at 7x7 24 vs 26; narrower layers keep the whole batch (64 at 28x28:
 * 75 vs 94, 16 at 28x28: 8 vs 11). A fixed rule, not a timing at run time, so that a seed gives the
 * same weights on every run (the chunks sum the parameters' gradients in another order).
 */
public final class Conv2d extends BufferedLayer {

    private final Parameter weight;
    private final Parameter bias;
    private final int kernel;
    private final int stride;
    private final long outChannels;
    private final ChannelSums channelSums;
    private INDArray input;
    /** Rows per chunk of the backward pass, 0 for the whole batch. */
    private final int chunkRows;
    /** TensorFlow's SAME padding (a plain CNN's blocks, as the graph builds them) instead of PyTorch's {@code k/2}. */
    private final boolean same;

    /** Rows per chunk of a wide convolution's backward pass. */
    static final int CHUNK = 8;

    /**
     * @param weight {@code [k, k, in, out]}
     * @param bias   {@code [out]}, or null for none (before BatchNorm)
     */
    public Conv2d(Parameter weight, Parameter bias, int stride) {
        this(weight, bias, stride, wideRule(weight), false);
    }

    /**
     * A stride-1 convolution with SAME padding, as a plain CNN block is built: {@code k - 1} pixels in all, the
     * odd one at the bottom/right (for an odd {@code k}, {@code k/2} on every side: PyTorch's).
     */
    public static Conv2d same(Parameter weight, Parameter bias) {
        return new Conv2d(weight, bias, 1, wideRule(weight), true);
    }

    private static int wideRule(Parameter weight) {
        return weight.value().size(0) == 3 && weight.value().size(2) * weight.value().size(3) >= 128 * 128 ? CHUNK : 0;
    }

    /** With {@code chunkRows} rows per chunk of the backward pass (0: the whole batch). */
    Conv2d(Parameter weight, Parameter bias, int stride, int chunkRows) {
        this(weight, bias, stride, chunkRows, false);
    }

    private Conv2d(Parameter weight, Parameter bias, int stride, int chunkRows, boolean same) {
        super(weight.value().dataType());
        this.same = same;
        this.chunkRows = chunkRows;
        this.weight = weight;
        this.bias = bias;
        this.kernel = Math.toIntExact(weight.value().size(0));
        this.stride = stride;
        this.outChannels = weight.value().size(3);
        this.channelSums = new ChannelSums(buffers);
    }

    /** Rows per chunk of the backward pass, 0 for the whole batch. */
    int chunkRows() {
        return chunkRows;
    }

    private long out(long size) {
        return same ? (size + stride - 1) / stride : (size + 2L * (kernel / 2) - kernel) / stride + 1;
    }

    /** kH, kW, sH, sW, pH, pW, dH, dW, padding mode (0: explicit, 1: SAME), data format (0: NCHW), weight format (0: [kH, kW, iC, oC]). */
    private int[] arguments() {
        return new int[]{kernel, kernel, stride, stride, same ? 0 : kernel / 2, same ? 0 : kernel / 2, 1, 1, same ? 1 : 0, 0, 0};
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.size(0), outChannels, out(x.size(2)), out(x.size(3)));
        INDArray[] in = bias == null ? new INDArray[]{x, weight.value()} : new INDArray[]{x, weight.value(), bias.value()};
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in).addOutputs(y).addIntegerArguments(arguments()).build());
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.inputGradient(input.shape());
        long n = input.size(0);
        int rows = chunkRows;
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

    /**
     * The first trained layer's backward (nothing reads its input's gradient): the weight gradient as one batched
     * matrix product, {@code dW[o, (c, a, b)] = Σ_n Σ_p dY[n, o, p]·cols[n, (c, a, b), p]}, where {@code cols} holds
     * the {@code k·k·c} shifted copies of the zero-padded input (im2col, by strided ND4J copies) and {@code p} runs over
     * the output pixels: libnd4j's {@code matmul} gives {@code [n, o, c·k·k]} per example, a GEMM with a row of ones
     * sums the examples; the bias gradient as channel sums (a GEMM).
     *
     * <p>Why: {@code conv2d_bp} always computes the input's gradient too, and oneDNN's backward passes of a network's
     * first convolution (one or three input channels) are slow at batch 128. Measured (1 thread, batch 128, ms; this
     * way, then the weight gradient as a convolution of the input by the output gradient, which this replaced, then
     * {@code conv2d_bp}): 1 -> 16 channels at 28x28 2.6 / 4.2 / 5.0, 1 -> 32 4.1 / 9.8 / 19.5, 3 -> 16 at 32x32
     * 8.2 / 7.8 / 30-86, 3 -> 32 10.5 / 17.1 / 25.8, 3 -> 64 12.9 / 29.6-148 / 144-154. Stride 1 and odd kernels
     * (stems and plain CNN blocks; PyTorch's and SAME padding agree there); other first layers take {@code conv2d_bp}.
     * Every op is ND4J's (cuBLAS's batched GEMM on the GPU).
     */
    @Override
    public void backwardParameters(INDArray gradient) {
        if (stride != 1 || kernel % 2 == 0) {
            backward(gradient);
            return;
        }
        long n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3), p = kernel / 2;
        long taps = c * kernel * kernel;
        INDArray padded = buffers.zeros("x_padded", n, c, h + 2 * p, w + 2 * p);
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(p, h + p), NDArrayIndex.interval(p, w + p)).assign(input);
        INDArray cols = buffers.scratch(n, taps, h, w);
        for (int ch = 0; ch < c; ch++) {
            for (int a = 0; a < kernel; a++) {
                for (int b = 0; b < kernel; b++) {
                    cols.get(NDArrayIndex.all(), NDArrayIndex.point((ch * kernel + a) * kernel + b), NDArrayIndex.all(), NDArrayIndex.all())
                            .assign(padded.get(NDArrayIndex.all(), NDArrayIndex.point(ch), NDArrayIndex.interval(a, a + h),
                                    NDArrayIndex.interval(b, b + w)));
                }
            }
        }
        INDArray perExample = buffers.get("dw_per_example", n, outChannels, taps);
        Nd4j.exec(DynamicCustomOp.builder("matmul").addInputs(gradient.reshape('c', n, outChannels, h * w), cols.reshape('c', n, taps, h * w))
                .addOutputs(perExample).addIntegerArguments(0, 1).build());
        buffers.release(cols);
        INDArray summed = buffers.get("dw_summed", 1, outChannels * taps);
        Nd4j.gemm(buffers.ones(n).reshape('c', 1, n), perExample.reshape('c', n, outChannels * taps), summed, false, false, 1.0, 0.0);
        weight.gradient().assign(summed.reshape('c', outChannels, c, kernel, kernel).permute(2, 3, 1, 0));
        if (bias != null) {
            double[] sums = channelSums.of(gradient, "db_partial");
            for (int o = 0; o < sums.length; o++) {
                bias.gradient().putScalar(o, sums[o]);
            }
        }
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
