package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.Hint;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.LogitTerm;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.WeightedTerm;
import org.kdharness.engine.ActivationFunction;
import org.kdharness.models.ConvChain;
import org.kdharness.models.DenseChain;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
 * for every objective whose terms all supply a hand gradient (an allow-list: each
 * {@link LogitTerm} and {@link LayerDistance} says whether it has one). A CNN's
 * convolutional blocks are handled by {@link ConvFront}.
 *
 * <p>Why: in ND4J 1.0.0-M2.1 SameDiff allocates every op's output at every step, and for
 * the small students KD sweeps train by the hundred that overhead, not arithmetic, set the
 * speed (the graph reached 12 % of the machine's GEMM rate). Here a step is a fixed list
 * of BLAS calls and in-place ops on arrays allocated once per trial. The gradients are
 * the graph's (each term's hand gradient is tested against its own graph loss, and
 * {@code DenseStepTest} compares whole steps), the configured updater ({@link HostAdam}'s loop for
 * Adam) and ND4J's weight decay are applied as SameDiff's training session applies them,
 * and the parameters updated
 * are the graph's own arrays, so the loss probe, evaluation, early-stopping snapshots and
 * saving keep reading the graph. The weights are the built objective's
 * ({@link DistillationObjective#logitTerms()}, {@link DistillationObjective#layerWeight()}).
 * Objectives this class does not cover (a term without a hand gradient, concatenated
 * targets, layer terms on convolutional blocks, a non-CPU backend) train through the graph.
 */
final class DenseStep extends HandStep {

    /** One term of a layer loss: a projection (or none) from a student layer onto one teacher layer. */
    private record HintTerm(int studentLayer, int labelIndex, long units, double coefficient, Updates.Param weight, Updates.Param bias) {
    }


    private final ActivationFunction activation;
    private final Updates.Param[] weights;
    private final Updates.Param[] biases;
    private final double[] drop;
    private final List<WeightedTerm> logitTerms;
    private final LayerDistance.HandGradient distance;
    private final double temperature;
    private final int probsIndex;
    private final int teacherLogitsIndex;
    private final int maskIndex;
    private final List<HintTerm> hints = new ArrayList<>();
    /** The CNN's convolutional blocks, or null for an MLP. */
    private final ConvFront front;
    private final Map<Integer, DenseBuffers> buffers = new HashMap<>();

    private DenseStep(Network net, DistillationObjective obj, TrainingConfig config) {
        super(new Updates(config));
        SameDiff sd = net.sd();
        DenseChain chain = net.dense();
        this.activation = ActivationFunction.of(chain.activation());
        int layers = chain.weights().size();
        weights = new Updates.Param[layers];
        biases = new Updates.Param[layers];
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
                Updates.Param pw = param(sd, conv.blocks().get(i).weight()), pb = param(sd, conv.blocks().get(i).bias());
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
        logitTerms = obj.logitTerms();
        temperature = obj.temperature();
        probsIndex = obj.indexOf(ObjectiveInput.Kind.TEACHER_PROBS);
        teacherLogitsIndex = obj.indexOf(ObjectiveInput.Kind.TEACHER_LOGITS);
        maskIndex = obj.indexOf(ObjectiveInput.Kind.LABEL_MASK);
        distance = obj.distance() == null ? null : obj.distance().hand();
        for (Hint h : obj.hints()) {
            double coefficient = obj.layerWeight() * h.weight() / h.targets().size();
            for (Hint.Target t : h.targets()) {
                int j = t.teacherLayers().get(0);
                int labelIndex = obj.inputs().indexOf(ObjectiveInput.teacherLayer(j));
                long units = net.hiddenSize(h.studentLayer());
                Updates.Param w = null, b = null;
                if (t.projectionWeight() != null) {
                    w = param(sd, t.projectionWeight());
                    b = param(sd, t.projectionBias());
                    units = w.value().size(1);
                }
                hints.add(new HintTerm(h.studentLayer() - convLayers, labelIndex, units, coefficient, w, b));
            }
        }
    }

    /**
     * A step for {@code net} under {@code obj}, or null when the objective needs the graph.
     */
    static DenseStep of(Network net, DistillationObjective obj, TrainingConfig config) {
        // hand gradients read host memory
        if (!Nd4j.getEnvironment().isCPU() || net.dense() == null || ActivationFunction.of(net.dense().activation()) == null) {
            return null;
        }
        // the allow-list: every term of the objective must bring its own hand gradient
        for (WeightedTerm t : obj.logitTerms()) {
            if (t.term().hand() == null) {
                return null;
            }
        }
        // no tap loss (a method's own layer loss over every layer) has a hand gradient yet
        if (obj.trial().method().tapLoss() != null || !obj.hints().isEmpty() && obj.distance().hand() == null) {
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
        step.updates.params().forEach(p -> updated.add(p.name()));
        return trainable.equals(updated) ? step : null;
    }

    private Updates.Param param(SameDiff sd, String name) {
        return updates.add(name, sd.getVariable(name).getArr());
    }

    @Override
    DenseBuffers load(INDArray features, List<INDArray> labels, int[] rows, Random maskRng) {
        DenseBuffers buf = buffers.computeIfAbsent(rows.length, n -> new DenseBuffers(n, widths(features.size(1)),
                probsIndex, teacherLogitsIndex, maskIndex, hints.stream().mapToInt(HintTerm::labelIndex).toArray(),
                hints.stream().mapToLong(h -> labels.get(h.labelIndex()).size(1)).toArray(),
                hints.stream().mapToLong(HintTerm::units).toArray(), drop, true));
        buf.load(features, labels, rows, maskRng);
        return buf;
    }

    @Override
    void gradients(DenseBuffers b) {
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
        b.logitGradient(b.logits, logitTerms, temperature);
        for (int k = 0; k < hints.size(); k++) {
            hintGradient(hints.get(k), b.a[hints.get(k).studentLayer() - 1], b.teacher[k], b.hint[k], b.hintGrad[k]);
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
                        Nd4j.gemm(b.hintGrad[k], h.weight().value(), da, false, true, 1.0, 1.0);
                    } else {
                        da.addi(b.hintGrad[k]);
                    }
                }
            }
            if (drop[l - 1] > 0) {
                da.muli(b.dropMask[l - 1]);
            }
            if (activation == ActivationFunction.RELU) {
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
     * Gradient of {@code coefficient * d(proj(h), t)} with respect to the projection's
     * output (or {@code h} itself), into {@code grad}, plus the projection's own gradients;
     * {@code out} receives the projection's output.
     */
    private void hintGradient(HintTerm h, INDArray student, INDArray teacher, INDArray out, INDArray grad) {
        INDArray p = student;
        if (h.weight() != null) {
            Nd4j.gemm(student, h.weight().value(), out, false, false, 1.0, 0.0);
            DenseKernels.addRowVector(out, h.bias().value());
            p = out;
        }
        grad.assign(0);
        distance.add(p, teacher, h.coefficient(), grad);
        if (h.weight() != null) {
            Nd4j.gemm(student, grad, h.weight().gradient(), true, false, 1.0, 0.0);
            DenseKernels.columnSums(grad, h.bias().gradient());
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
