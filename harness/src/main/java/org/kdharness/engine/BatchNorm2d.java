package org.kdharness.engine;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * BatchNorm over the channels of {@code [n, c, h, w]} maps, as PyTorch's {@code BatchNorm2d}:
 * {@code (x - m)·rsqrt(v + 1e-5)·γ + β}, where training normalises with the batch's mean and
 * biased variance ({@code E[x²] - E[x]²}) and folds them into running statistics with momentum 0.1
 * ({@code r ← 0.9·r + 0.1·batch}, the variance unbiased by {@code N/(N-1)} there), and inference
 * normalises with the running ones. The backward pass is the full training gradient, through the
 * batch mean and variance ({@code x̂ = (x - m)·r}, {@code r = rsqrt(v + ε)}):
 * {@code dγ = Σ dy·x̂}, {@code dβ = Σ dy}, {@code dx = γ·r·(dy - dβ/N - x̂·dγ/N)}, computed as
 * {@code dx = S·dy + B·x + C} with per-channel {@code S = γ·r}, {@code B = -S·r·dγ/N},
 * {@code C = -S·dβ/N - B·m}; pinned against SameDiff's autodiff of the formula.
 *
 * <p>Why not libnd4j's {@code batchnorm} and {@code batchnorm_bp} ops (oneDNN's fused kernels):
 * measured on one thread at batch 128, {@code batchnorm_bp} took 10.4 ms on {@code [128, 16, 28, 28]}
 * and 28.8 ms on {@code [128, 128, 14, 14]}, where PyTorch's backward takes 4.2 ms on the first;
 * BatchNorm's backward was 25 % of a resnet20 step (JFR). Here each direction is two per-channel
 * sums as GEMMs ({@link ChannelSums}), one elementwise product, and broadcast multiplies and adds
 * (ND4J's {@code MulOp}/{@code AddOp}): 5.4 and 11.8 ms with the per-channel arithmetic in ND4J,
 * less with it here in Java, where each of the {@code c}-element ops cost 60-100 µs of call
 * overhead. Every op is ND4J's (GEMM, elementwise, broadcast), so the GPU backend runs them
 * as they are; the per-channel numbers pass through host memory ({@code c} values).
 */
public final class BatchNorm2d extends BufferedLayer {

    /** PyTorch's default. */
    public static final double MOMENTUM = 0.1;
    public static final double EPSILON = 1e-5;

    private final Parameter gamma;
    private final Parameter beta;
    private final INDArray runningMean;
    private final INDArray runningVar;
    private final ChannelSums sums;
    private final int channels;
    /** The last training forward's input and batch statistics, for the backward pass. */
    private INDArray input;
    private double[] mean;
    private double[] var;
    /** While measuring: Σ rows·mean and Σ rows·E[x²] of the batches seen, and their rows; null otherwise. */
    private double[] sum;
    private double[] sumSquares;
    private long measured;

    /**
     * @param runningMean {@code [c]}, updated in place in training
     * @param runningVar  {@code [c]}, updated in place in training
     */
    public BatchNorm2d(Parameter gamma, Parameter beta, INDArray runningMean, INDArray runningVar) {
        super(gamma.value().dataType());
        this.gamma = gamma;
        this.beta = beta;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.sums = new ChannelSums(buffers);
        this.channels = Math.toIntExact(runningMean.length());
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.output(training, x.shape());
        if (!training) {
            return affine(x, y, runningMean.toDoubleVector(), runningVar.toDoubleVector());
        }
        long count = x.length() / x.size(1);
        double[] s1 = sums.of(x, "partial");
        INDArray squares = buffers.scratch(x.shape());
        double[] s2 = sums.of(x.mul(x, squares), "partial");
        buffers.release(squares);
        mean = new double[channels];
        var = new double[channels];
        for (int ch = 0; ch < channels; ch++) {
            mean[ch] = s1[ch] / count;
            // E[x²] - E[x]², never below 0: ND4J's variance reduction took 18 % of a resnet20 step (JFR)
            var[ch] = Math.max(0, s2[ch] / count - mean[ch] * mean[ch]);
            runningMean.putScalar(ch, (1 - MOMENTUM) * runningMean.getDouble(ch) + MOMENTUM * mean[ch]);
            runningVar.putScalar(ch, (1 - MOMENTUM) * runningVar.getDouble(ch) + MOMENTUM * var[ch] * count / Math.max(1, count - 1));
            if (sum != null) {
                sum[ch] += mean[ch] * count;
                sumSquares[ch] += (var[ch] + mean[ch] * mean[ch]) * count;
            }
        }
        if (sum != null) {
            measured += count;
        }
        input = x;
        return affine(x, y, mean, var);
    }

    /** {@code y = x·S + T} with {@code S = γ·rsqrt(v + ε)}, {@code T = β - m·S}, through scratch. */
    private INDArray affine(INDArray x, INDArray y, double[] m, double[] v) {
        INDArray scale = buffers.get("scale", 1, channels, 1, 1);
        INDArray shift = buffers.get("shift", 1, channels, 1, 1);
        for (int ch = 0; ch < channels; ch++) {
            double s = gamma.value().getDouble(ch) / Math.sqrt(v[ch] + EPSILON);
            scale.putScalar(ch, s);
            shift.putScalar(ch, beta.value().getDouble(ch) - m[ch] * s);
        }
        // out of place: ND4J's broadcast add took 0.74-0.91 ms in place on [128, 16, 28, 28], 0.46-0.58 ms into another array
        INDArray product = buffers.scratch(x.shape());
        Nd4j.exec(new MulOp(x, scale, product));
        Nd4j.exec(new AddOp(product, shift, y));
        buffers.release(product);
        return y;
    }

    @Override
    public void measure(boolean on) {
        if (on) {
            sum = new double[channels];
            sumSquares = new double[channels];
            measured = 0;
        } else if (sum != null) {
            for (int ch = 0; ch < channels; ch++) {
                double m = sum[ch] / measured;
                runningMean.putScalar(ch, m);
                runningVar.putScalar(ch, sumSquares[ch] / measured - m * m);
            }
            sum = null;
            sumSquares = null;
        }
    }

    @Override
    public INDArray backward(INDArray gradient) {
        long count = input.length() / input.size(1);
        double[] dBeta = sums.of(gradient, "partial");
        INDArray product = buffers.scratch(input.shape());
        double[] dyx = sums.of(gradient.mul(input, product), "partial");
        INDArray s = buffers.get("scale", 1, channels, 1, 1);
        INDArray b = buffers.get("b", 1, channels, 1, 1);
        INDArray c = buffers.get("shift", 1, channels, 1, 1);
        for (int ch = 0; ch < channels; ch++) {
            double r = 1 / Math.sqrt(var[ch] + EPSILON);
            double dGamma = r * (dyx[ch] - mean[ch] * dBeta[ch]);
            double sc = gamma.value().getDouble(ch) * r;
            double bc = -sc * r * dGamma / count;
            gamma.gradient().putScalar(ch, dGamma);
            beta.gradient().putScalar(ch, dBeta[ch]);
            s.putScalar(ch, sc);
            b.putScalar(ch, bc);
            c.putScalar(ch, -sc * dBeta[ch] / count - bc * mean[ch]);
        }
        INDArray dx = buffers.inputGradient(input.shape());
        Nd4j.exec(new MulOp(input, b, product));
        Nd4j.exec(new AddOp(product, c, dx));
        Nd4j.exec(new MulOp(gradient, s, product));
        dx.addi(product);
        buffers.release(product);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public List<INDArray> state() {
        return List.of(runningMean, runningVar);
    }
}
