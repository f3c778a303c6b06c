package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.Hint;
import org.kdharness.distill.Method;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.DenseActivation;
import org.kdharness.models.ConvChain;
import org.kdharness.models.DenseChain;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One training step of an MLP or CNN, back-propagated by hand on preallocated buffers,
 * for the baseline, response and feature (mse) objectives. A CNN's convolutional blocks
 * are handled by {@link ConvFront}.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 SameDiff allocates every op's output at every step, and for
 * the small students KD sweeps train by the hundred that overhead, not arithmetic, set the
 * speed (the graph reached 12 % of the machine's GEMM rate). Here a step is a fixed list
 * of BLAS calls and in-place ops on arrays allocated once per trial. The gradients are
 * the graph's (same loss definitions as {@code ResponseLoss} and {@code FeatureLoss};
 * {@code DenseStepTest} compares them), the configured updater ({@link HostAdam}'s loop for
 * Adam) and ND4J's weight decay are applied as SameDiff's training session applies them,
 * and the parameters updated
 * are the graph's own arrays, so the loss probe, evaluation, early-stopping snapshots and
 * saving keep reading the graph. Objectives this class does not cover (relation losses,
 * cosine/attention distances, concatenated targets, hints on convolutional blocks) train
 * through the graph.
 */
final class DenseStep {

    /** One term of a hint: a projection (or none) from a student layer onto one teacher layer. */
    private record HintTerm(int studentLayer, int labelIndex, long units, double coefficient,
                            Param weight, Param bias) {
    }

    /** A trainable array, its gradient buffer and its updater. */
    private record Param(String name, INDArray value, INDArray gradient, GradientUpdater updater) {
    }

    private final DenseActivation activation;
    private final Param[] weights;
    private final Param[] biases;
    private final List<Param> params = new ArrayList<>();
    private final double[] drop;
    private final double hardWeight;
    private final double softWeight;
    private final double temperature;
    private final int probsIndex;
    private final int maskIndex;
    private final List<HintTerm> hints = new ArrayList<>();
    /** The CNN's convolutional blocks, or null for an MLP. */
    private final ConvFront front;
    private final TrainingConfig config;
    private final Map<Integer, DenseBuffers> buffers = new HashMap<>();
    private int iteration;
    private int epoch;

    private DenseStep(Network net, DistillationObjective obj, TrainingConfig config) {
        SameDiff sd = net.sd();
        DenseChain chain = net.dense();
        this.activation = DenseActivation.of(chain.activation());
        this.config = config;
        int layers = chain.weights().size();
        weights = new Param[layers];
        biases = new Param[layers];
        for (int l = 0; l < layers; l++) {
            weights[l] = param(sd, chain.weights().get(l));
            biases[l] = param(sd, chain.biases().get(l));
        }
        ConvChain conv = net.conv();
        // hidden layers before the dense ones (the conv blocks): student layer numbers are offset by it
        int convLayers = conv == null ? 0 : conv.blocks().size();
        if (conv != null) {
            int n = conv.blocks().size();
            INDArray[] w = new INDArray[n], gw = new INDArray[n], bias = new INDArray[n], gb = new INDArray[n];
            for (int i = 0; i < n; i++) {
                Param pw = param(sd, conv.blocks().get(i).weight()), pb = param(sd, conv.blocks().get(i).bias());
                w[i] = pw.value();
                gw[i] = pw.gradient();
                bias[i] = pb.value();
                gb[i] = pb.gradient();
            }
            front = new ConvFront(conv, activation, w, gw, bias, gb);
        } else {
            front = null;
        }
        drop = new double[chain.hiddenLayers()];
        for (int l = 0; l < net.dropoutMasks().size(); l++) {
            drop[l] = net.dropoutMasks().get(l).drop();
        }
        TrialSpec trial = obj.trial();
        double alpha = trial.effectiveAlpha();
        double scale = trial.method().usesMapping() ? trial.effectiveWResponse() : 1.0;
        hardWeight = alpha * scale;
        temperature = trial.effectiveTemperature();
        softWeight = alpha < 1.0 ? (1.0 - alpha) * temperature * temperature * scale : 0.0;
        List<String> labels = obj.labelPlaceholders();
        probsIndex = labels.indexOf(DistillationObjective.TEACHER_PROBS);
        maskIndex = labels.indexOf(DistillationObjective.LABEL_MASK);
        for (Hint h : obj.hints()) {
            double coefficient = trial.effectiveWFeature() * h.weight() / h.targets().size();
            for (Hint.Target t : h.targets()) {
                int j = t.teacherLayers().get(0);
                long units = net.hiddenSize(h.studentLayer());
                Param w = null, b = null;
                if (t.projectionWeight() != null) {
                    w = param(sd, t.projectionWeight());
                    b = param(sd, t.projectionBias());
                    units = w.value().size(1);
                }
                hints.add(new HintTerm(h.studentLayer() - convLayers, labels.indexOf(DistillationObjective.teacherLayerName(j)),
                        units, coefficient, w, b));
            }
        }
    }

    /**
     * A step for {@code net} under {@code obj}, or null when the objective needs the graph.
     */
    static DenseStep of(Network net, DistillationObjective obj, TrainingConfig config) {
        if (net.dense() == null || DenseActivation.of(net.dense().activation()) == null) {
            return null;
        }
        Method method = obj.trial().method();
        if (method == Method.RELATION || (method == Method.FEATURE && !"mse".equals(obj.trial().distance()))) {
            return null;
        }
        int convLayers = net.conv() == null ? 0 : net.conv().blocks().size();
        for (Hint h : obj.hints()) {
            if (h.studentLayer() <= convLayers) {
                return null;
            }
            for (Hint.Target t : h.targets()) {
                if (t.teacherLayers().size() != 1 || t.convolutional()) {
                    return null;
                }
            }
        }
        if (net.conv() != null && !ConvFront.supports(net.params().stream()
                .map(p -> net.sd().getVariable(p).getArr()).toArray(INDArray[]::new))) {
            return null;
        }
        DenseStep step = new DenseStep(net, obj, config);
        // every trainable variable of the graph must be one this step updates
        Set<String> trainable = new TreeSet<>();
        net.sd().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .forEach(v -> trainable.add(v.name()));
        Set<String> updated = new TreeSet<>();
        step.params.forEach(p -> updated.add(p.name()));
        return trainable.equals(updated) ? step : null;
    }

    private Param param(SameDiff sd, String name) {
        for (Param p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        INDArray value = sd.getVariable(name).getArr();
        INDArray gradient = Nd4j.zeros(value.dataType(), value.shape());
        // as SameDiff's training session creates its updaters
        long stateSize = config.getUpdater().stateSize(value.length());
        INDArray state = stateSize == 0 ? null : Nd4j.createUninitialized(value.dataType(), 1, stateSize);
        GradientUpdater updater = config.getUpdater().instantiate(state, false);
        updater.setStateViewArray(state, value.shape(), value.ordering(), true);
        Param p = new Param(name, value, gradient, updater);
        params.add(p);
        return p;
    }

    /**
     * One epoch of minibatches in {@code order}: the same batches, and the same dropout
     * masks drawn from {@code maskSeed}, as {@link BatchIterator} feeds the graph.
     */
    void epoch(INDArray features, List<INDArray> labels, int[] order, int batchSize, long maskSeed) {
        Random maskRng = new Random(maskSeed);
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(order.length, from + batchSize);
            int[] rows = java.util.Arrays.copyOfRange(order, from, to);
            DenseBuffers buf = load(features, labels, rows, maskRng);
            gradients(buf);
            update();
            iteration++;
        }
        epoch++;
    }

    /** Gradients of one batch by parameter name, without updating (for tests). */
    Map<String, INDArray> gradients(INDArray features, List<INDArray> labels, int[] rows, long maskSeed) {
        gradients(load(features, labels, rows, new Random(maskSeed)));
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach(p -> out.put(p.name(), p.gradient().dup()));
        return out;
    }

    private DenseBuffers load(INDArray features, List<INDArray> labels, int[] rows, Random maskRng) {
        DenseBuffers buf = buffers.computeIfAbsent(rows.length, n -> new DenseBuffers(n, widths(features.size(1)),
                probsIndex, maskIndex, hints.stream().mapToInt(HintTerm::labelIndex).toArray(),
                hints.stream().mapToLong(HintTerm::units).toArray(), drop));
        buf.load(features, labels, rows, maskRng);
        return buf;
    }

    /** Forward pass, loss gradient and backward pass into the parameters' gradient buffers. */
    private void gradients(DenseBuffers b) {
        int hidden = drop.length;
        INDArray features = front == null ? b.x : front.forward(b.x);
        INDArray in = features;
        for (int l = 0; l < hidden; l++) {
            affine(in, l, b.z[l]);
            activation.forward(b.z[l], b.a[l]);
            if (drop[l] > 0) {
                b.a[l].muli(b.dropMask[l]);
            }
            in = b.a[l];
        }
        affine(in, hidden, b.logits);
        outputGradient(b);
        for (int k = 0; k < hints.size(); k++) {
            hintGradient(hints.get(k), b.a[hints.get(k).studentLayer() - 1], b.teacher[k], b.hint[k]);
        }
        INDArray delta = b.p;
        for (int l = hidden; l >= 0; l--) {
            INDArray below = l == 0 ? features : b.a[l - 1];
            Nd4j.gemm(below, delta, weights[l].gradient(), true, false, 1.0, 0.0);
            DenseKernels.columnSums(delta, biases[l].gradient());
            if (l == 0) {
                if (front != null) {
                    Nd4j.gemm(delta, weights[0].value(), front.flatGradient(), false, true, 1.0, 0.0);
                    front.backward();
                }
                break;
            }
            INDArray da = b.da[l - 1];
            Nd4j.gemm(delta, weights[l].value(), da, false, true, 1.0, 0.0);
            for (int k = 0; k < hints.size(); k++) {
                HintTerm h = hints.get(k);
                if (h.studentLayer() == l) {
                    if (h.weight() != null) {
                        Nd4j.gemm(b.hint[k], h.weight().value(), da, false, true, 1.0, 1.0);
                    } else {
                        da.addi(b.hint[k]);
                    }
                }
            }
            if (drop[l - 1] > 0) {
                da.muli(b.dropMask[l - 1]);
            }
            if (activation == DenseActivation.RELU) {
                DenseKernels.reluBackward(b.z[l - 1], da, b.dz[l - 1]);
            } else {
                activation.backward(b.z[l - 1], da, b.dz[l - 1]);
            }
            delta = b.dz[l - 1];
        }
    }

    /** {@code out = in W_l + b_l}. */
    private void affine(INDArray in, int l, INDArray out) {
        Nd4j.gemm(in, weights[l].value(), out, false, false, 1.0, 0.0);
        DenseKernels.addRowVector(out, biases[l].value());
    }

    /**
     * Gradient of the response loss with respect to the logits, into {@code b.p}:
     * {@code hardWeight (softmax(z) - y) / n_labelled + softWeight (softmax(z/T) - p_t) / (n T)}.
     */
    private void outputGradient(DenseBuffers b) {
        DenseKernels.responseGradient(b.logits, b.labels, b.teacherProbs, b.labelMask, hardWeight, softWeight, temperature,
                b.p, b.q);
    }

    /**
     * Gradient of {@code coefficient * mean((proj(h) - t)^2)} with respect to the
     * projection's output, into {@code diff}, plus the projection's own gradients.
     */
    private void hintGradient(HintTerm h, INDArray student, INDArray teacher, INDArray diff) {
        if (h.weight() != null) {
            Nd4j.gemm(student, h.weight().value(), diff, false, false, 1.0, 0.0);
            DenseKernels.addRowVector(diff, h.bias().value());
        } else {
            diff.assign(student);
        }
        DenseKernels.scaledDifference(diff, teacher, 2.0 * h.coefficient() / ((double) diff.rows() * h.units()));
        if (h.weight() != null) {
            Nd4j.gemm(student, diff, h.weight().gradient(), true, false, 1.0, 0.0);
            DenseKernels.columnSums(diff, h.bias().gradient());
        }
    }

    /** Regularisation, updater and subtraction, per parameter, as SameDiff's training session does it. */
    private void update() {
        List<Regularization> regularization = config.getRegularization();
        double lr = config.getUpdater().hasLearningRate() ? config.getUpdater().getLearningRate(iteration, epoch) : 1.0;
        boolean regularised = regularization != null && !regularization.isEmpty();
        for (Param p : params) {
            if (p.updater() instanceof DirectAdam adam && !regularised) {
                adam.step(p.value(), p.gradient(), iteration, epoch);
                continue;
            }
            apply(regularization, Regularization.ApplyStep.BEFORE_UPDATER, p, lr);
            p.updater().applyUpdater(p.gradient(), iteration, epoch);
            apply(regularization, Regularization.ApplyStep.POST_UPDATER, p, lr);
            p.value().subi(p.gradient());
        }
    }

    private void apply(List<Regularization> regularization, Regularization.ApplyStep when, Param p, double lr) {
        if (regularization == null) {
            return;
        }
        for (Regularization r : regularization) {
            if (r.applyStep() == when) {
                r.apply(p.value(), p.gradient(), lr, iteration, epoch);
            }
        }
    }

    /** Input width, hidden widths, classes. */
    private long[] widths(long input) {
        long[] w = new long[weights.length + 1];
        w[0] = input;
        for (int l = 0; l < weights.length; l++) {
            w[l + 1] = weights[l].value().size(1);
        }
        return w;
    }
}
