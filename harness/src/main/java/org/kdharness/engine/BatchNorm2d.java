package org.kdharness.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;

/**
 * BatchNorm over the channels of {@code [n, c, h, w]} maps, as PyTorch's {@code BatchNorm2d}:
 * {@code (x - m)·rsqrt(v + 1e-5)·γ + β}, where training normalises with the batch's mean and
 * biased variance ({@code E[x²] - E[x]²}) and folds them into running statistics with momentum 0.1
 * ({@code r ← 0.9·r + 0.1·batch}, the variance unbiased by {@code N/(N-1)} there), and inference
 * normalises with the running ones. libnd4j's {@code batchnorm} and {@code batchnorm_bp} ops (oneDNN's
 * fused kernels on the CPU); the backward is the full training gradient, through the batch
 * mean and variance, pinned against SameDiff's autodiff of the formula.
 */
public final class BatchNorm2d implements Layer {

    /** PyTorch's default. */
    public static final double MOMENTUM = 0.1;
    public static final double EPSILON = 1e-5;

    private final Parameter gamma;
    private final Parameter beta;
    private final INDArray runningMean;
    private final INDArray runningVar;
    private final Buffers buffers;
    private final INDArray mean;
    private final INDArray var;
    private final INDArray meanGradient;
    private final INDArray varGradient;
    private INDArray input;
    /** While measuring: Σ rows·mean and Σ rows·E[x²] of the batches seen, in double, and their rows. */
    private INDArray sum;
    private INDArray sumSquares;
    private long measured;

    /**
     * @param runningMean {@code [c]}, updated in place in training
     * @param runningVar  {@code [c]}, updated in place in training
     */
    public BatchNorm2d(Parameter gamma, Parameter beta, INDArray runningMean, INDArray runningVar) {
        this.gamma = gamma;
        this.beta = beta;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
        this.buffers = new Buffers(gamma.value().dataType());
        this.mean = runningMean.ulike();
        this.var = runningVar.ulike();
        this.meanGradient = runningMean.ulike();
        this.varGradient = runningVar.ulike();
    }

    @Override
    public INDArray forward(INDArray x, boolean training) {
        INDArray y = buffers.get(training ? "y" : "inference", x.shape());
        INDArray m = runningMean, v = runningVar;
        if (training) {
            long count = x.length() / x.size(1);
            x.mean(mean, 0, 2, 3);
            // E[x²] - E[x]², never below 0: ND4J's variance reduction took 18 % of a resnet20 step (JFR), a sum of squares 2 %
            Nd4j.exec(new SquaredNorm(x, var, 0, 2, 3));
            var.divi(count).subi(mean.mul(mean));
            Transforms.max(var, 0.0, false);
            runningMean.muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
            runningVar.muli(1 - MOMENTUM).addi(var.mul(MOMENTUM * count / Math.max(1, count - 1)));
            m = mean;
            v = var;
            input = x;
            if (sum != null) {
                INDArray batchMean = mean.castTo(DataType.DOUBLE);
                sum.addi(batchMean.mul(count));
                sumSquares.addi(var.castTo(DataType.DOUBLE).addi(batchMean.mul(batchMean)).muli(count));
                measured += count;
            }
        }
        Nd4j.exec(DynamicCustomOp.builder("batchnorm").addInputs(x, m, v, gamma.value(), beta.value()).addOutputs(y)
                .addIntegerArguments(1, 1, 1).addFloatingPointArguments(EPSILON).build());
        return y;
    }

    @Override
    public void measure(boolean on) {
        if (on) {
            sum = Nd4j.zeros(DataType.DOUBLE, mean.length());
            sumSquares = Nd4j.zeros(DataType.DOUBLE, mean.length());
            measured = 0;
        } else if (sum != null) {
            INDArray m = sum.div(measured);
            runningMean.assign(m);
            runningVar.assign(sumSquares.div(measured).subi(m.mul(m)));
            sum = null;
            sumSquares = null;
        }
    }

    @Override
    public INDArray backward(INDArray gradient) {
        INDArray dx = buffers.get("dx", input.shape());
        Nd4j.exec(DynamicCustomOp.builder("batchnorm_bp").addInputs(input, mean, var, gamma.value(), beta.value(), gradient)
                .addOutputs(dx, meanGradient, varGradient, gamma.gradient(), beta.gradient())
                .addIntegerArguments(1, 1, 1).addFloatingPointArguments(EPSILON).build());
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
