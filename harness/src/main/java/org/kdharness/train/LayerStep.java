package org.kdharness.train;

import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.WeightedTerm;
import org.kdharness.engine.Dropout;
import org.kdharness.engine.LayerNet;
import org.kdharness.engine.Parameter;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A training step of a network the engine builds ({@link Network#engine()}: every network the builders make):
 * the engine's forward pass in training mode, the objective's logit terms' hand gradients, the engine's backward
 * pass and the optimiser step, on the graph's own arrays. It trains every network the builders make (MLPs, plain CNNs,
 * residual networks, WRNs, VGGs) under every registered method.
 *
 * <p>Why: the SameDiff graph ran these networks at 1.8-3.1x PyTorch's epoch time with several GB of
 * memory ({@code harness/docs/engine.md}); the engine runs libnd4j's fused oneDNN kernels into buffers
 * allocated once. A mapping's layer terms ({@link EngineHints}) and a method's own tap loss ({@link TapGraph}) add
 * their gradients at the taps they read; dropout layers take the masks each batch draws. Objectives it does not
 * cover (a logit term or a layer distance without a hand gradient: none registered today) train through the graph.
 */
final class LayerStep extends HandStep {

    private final LayerNet engine;
    private final List<WeightedTerm> logitTerms;
    private final double temperature;
    private final int probsIndex;
    private final int teacherLogitsIndex;
    private final int maskIndex;
    private final Map<Integer, BatchBuffers> buffers = new HashMap<>();
    /** The layer terms on the taps (a mapping's, or the method's own tap loss; none without), or null when one needs the graph. */
    private final TapTerms hints;
    /** The network's dropout layers and their widths: each batch draws their masks. */
    private final List<Dropout> dropouts;
    private final long[] dropWidths;

    private LayerStep(Network net, DistillationObjective obj, TrainingConfig config) {
        super(new Updates(config));
        this.engine = net.engine();
        for (Parameter p : engine.parameters()) {
            updates.add(p.name(), p.value(), p.gradient());
        }
        hints = obj.trial().method().tapLoss() != null ? TapGraph.of(net, obj, updates) : EngineHints.of(net, obj, updates);
        logitTerms = obj.logitTerms();
        temperature = obj.temperature();
        probsIndex = obj.indexOf(ObjectiveInput.Kind.TEACHER_PROBS);
        teacherLogitsIndex = obj.indexOf(ObjectiveInput.Kind.TEACHER_LOGITS);
        maskIndex = obj.indexOf(ObjectiveInput.Kind.LABEL_MASK);
        dropouts = engine.dropouts();
        dropWidths = net.dropoutMasks().stream().mapToLong(Network.DropoutMask::width).toArray();
        if (dropWidths.length != dropouts.size()) {
            throw new IllegalStateException(dropouts.size() + " dropout layers for " + dropWidths.length + " masks");
        }
    }

    /** A step for {@code net} under {@code obj}, or null when the objective needs the graph. */
    static LayerStep of(Network net, DistillationObjective obj, TrainingConfig config) {
        // the terms' hand gradients read and write host memory: other backends take the graph
        if (!Nd4j.getEnvironment().isCPU() || net.engine() == null) {
            return null;
        }
        for (WeightedTerm t : obj.logitTerms()) {
            if (t.term().hand() == null) {
                return null;
            }
        }
        LayerStep step = new LayerStep(net, obj, config);
        if (step.hints == null) {
            return null;
        }
        // every trainable variable of the graph must be one this step updates
        Set<String> trainable = new TreeSet<>();
        net.sd().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).forEach(v -> trainable.add(v.name()));
        Set<String> updated = new TreeSet<>();
        step.updates.params().forEach(p -> updated.add(p.name()));
        return trainable.equals(updated) ? step : null;
    }

    @Override
    BatchBuffers load(INDArray features, List<INDArray> labels, int[] rows, Random maskRng) {
        BatchBuffers b = buffers.computeIfAbsent(rows.length, n -> new BatchBuffers(n, features.size(1), labels.get(0).size(1), probsIndex,
                teacherLogitsIndex, maskIndex, hints.labelIndex(), hints.teacherUnits(), dropWidths,
                dropouts.stream().mapToDouble(Dropout::drop).toArray()));
        b.load(features, labels, rows, maskRng);
        for (int l = 0; l < dropouts.size(); l++) {
            dropouts.get(l).mask(b.dropMask[l]);
        }
        return b;
    }

    @Override
    void gradients(BatchBuffers b) {
        LayerNet.Outputs out = engine.forward(b.x, true);
        b.logitGradient(out.logits(), logitTerms, temperature);
        engine.backward(b.p, hints.gradients(out, b));
    }
}
