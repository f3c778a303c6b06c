package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * A 2-D convolution over {@code [n, c, h, w]} maps with PyTorch's padding ({@code k/2} on every
 * side, so a stride-2 3x3 convolution of a 32-pixel map gives 16 pixels, as PyTorch's does) and
 * weights {@code [k, k, in, out]}; libnd4j's {@code conv2d} and {@code conv2d_bp} ops, which run
 * oneDNN's convolutions on the CPU and cuDNN's on the GPU.
 */
public final class Conv2d implements Layer {

    private final Parameter weight;
    private final Parameter bias;
    private final int kernel;
    private final int stride;
    private final long outChannels;
    private final Buffers buffers;
    private INDArray input;

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
        INDArray[] in = bias == null ? new INDArray[]{input, weight.value(), gradient}
                : new INDArray[]{input, weight.value(), bias.value(), gradient};
        INDArray[] out = bias == null ? new INDArray[]{dx, weight.gradient()} : new INDArray[]{dx, weight.gradient(), bias.gradient()};
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(in).addOutputs(out).addIntegerArguments(arguments()).build());
        return dx;
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
