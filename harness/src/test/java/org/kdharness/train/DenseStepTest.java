package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.Methods;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-written dense step, and the layer engine's step on the same networks, compute the gradients SameDiff
 * computes for the same graph, loss and batch, for every objective and activation the dense step claims; the dense
 * step declines the rest (which {@code PlainStepTest} checks on the engine).
 */
class DenseStepTest {

    private static final int N = 40;
    private static final int IN = 12;
    private static final int CLASSES = 5;
    /** Teacher hidden widths (layer 1, layer 2). */
    private static final long[] TEACHER = {20, 9};
    private static final java.util.List<long[]> TEACHER_SHAPES = java.util.List.of(new long[]{TEACHER[0]}, new long[]{TEACHER[1]});

    private final Random rng = new Random(5);

    private INDArray gaussian(long rows, long cols) {
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    /** Builders start biases at zero; non-zero ones make the bias terms of the comparison count. */
    private void randomiseBiases(SameDiff sd) {
        sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE
                && v.name().endsWith("_b")).forEach(v -> {
                    INDArray b = v.getArr();
                    b.assign(gaussian(1, b.length()).reshape(b.shape()).muli(0.5));
                });
    }

    /** Builds the MLP student and objective, and compares dense and graph gradients on one batch of rows. */
    private void compare(String activation, TrialSpec trial, boolean labelMask) {
        compare(new ModelSpec("mlp", List.of(16, 9), null, activation, 0.0), new NetworkBuilder.InputShape(1, 3, 4), trial, labelMask);
    }

    private void compare(ModelSpec model, NetworkBuilder.InputShape shape, TrialSpec trial, boolean labelMask) {
        String activation = model.activation() + (model.conv().isEmpty() ? "" : " cnn");
        Network net = NetworkBuilder.build(SameDiff.create(), "", model, shape, CLASSES, 2);
        DistillationObjective obj = DistillationObjective.build(net, trial, CLASSES, TEACHER_SHAPES);
        randomiseBiases(net.sd());
        assertEquals(labelMask, obj.labelPlaceholders().contains(DistillationObjective.LABEL_MASK));
        StepOracle.compare(net, obj, DenseStep::of, rng, TEACHER_SHAPES, 1e-4, trial.method() + "/" + activation);
        // and the layer engine's step on the same network and objective (its twin of every MLP and CNN)
        StepOracle.compare(net, obj, LayerStep::of, rng, TEACHER_SHAPES, 1e-4, "engine " + trial.method() + "/" + activation);
    }

    private static TrialSpec trial(DistillationMethod method, Double t, Double alpha, Double w1, Double w2, LayerMapping mapping,
                                   String distance, Double labelledFraction) {
        return trial(method, t, alpha, w1, w2, mapping, distance, labelledFraction, null);
    }

    private static TrialSpec trial(DistillationMethod method, Double t, Double alpha, Double w1, Double w2, LayerMapping mapping,
                                   String distance, Double labelledFraction, java.util.SortedMap<String, Double> params) {
        return new TrialSpec(method, t, alpha, w1, w2, mapping, distance == null ? null : Methods.distance(distance), 1, null, null,
                labelledFraction, null, params);
    }

    @Test
    void baselineGradientsMatchTheGraphForEveryActivation() {
        for (String activation : List.of("relu", "tanh", "sigmoid", "leaky_relu", "elu")) {
            compare(activation, trial(Methods.method("baseline"), null, null, null, null, null, null, null), false);
        }
    }

    @Test
    void responseGradientsMatchTheGraph() {
        compare("relu", trial(Methods.method("response"), 4.0, 0.3, null, null, null, null, null), false);
        compare("tanh", trial(Methods.method("response"), 1.0, 0.0, null, null, null, null, null), false);
        // transfer data: the hard term averages over the batch's labelled rows only
        compare("relu", trial(Methods.method("response"), 2.0, 0.6, null, null, null, null, 0.5), true);
    }

    @Test
    void featureGradientsMatchTheGraph() {
        // s1 <- t1 through a 16->20 projection; s2 <- {t1, t2} averaged: a 9->20 projection and none for 9->9
        LayerMapping mapping = new LayerMapping(List.of(
                new LayerMapping.Pair(1, List.of(1), 0.7, "mean"),
                new LayerMapping.Pair(2, List.of(1, 2), 1.5, "mean")));
        compare("relu", trial(Methods.method("feature"), 3.0, 0.5, 0.8, 0.2, mapping, "mse", null), false);
        compare("elu", trial(Methods.method("feature"), 3.0, 1.0, 2.0, 0.5, mapping, "mse", 0.5), true);
    }

    @Test
    void everyRegisteredMethodStepsLikeTheGraph() {
        // s2 (9 wide) <- t1 (20 wide) and s1 <- {t1, t2} averaged: hints project, relations compare
        // structures of different widths
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(1), 1.0, "mean"),
                new LayerMapping.Pair(1, List.of(1, 2), 0.5, "mean")));
        List<TrialSpec> trials = DistillationRegistry.standard().exampleTrials(mapping);
        assertTrue(trials.size() >= 6, "baseline, response, feature and relation at least");
        for (TrialSpec t : trials) {
            if (t.method().tapLoss() == null) { // tap losses have no hand gradient: declinesWhatOnlyTheGraphComputes
                compare("tanh", t, false);
            }
        }
    }

    @Test
    void cnnGradientsMatchTheGraph() {
        // two blocks (3x3 then 5x5 kernels, pooling 6x6 -> 3x3 in the first), a dense layer, two input channels
        ModelSpec cnn = new ModelSpec("cnn", List.of(9), List.of(new ModelSpec.ConvBlock(4, 3, true),
                new ModelSpec.ConvBlock(5, 5, false)), "relu", 0.0);
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(2, 6, 6);
        compare(cnn, shape, trial(Methods.method("baseline"), null, null, null, null, null, null, null), false);
        compare(cnn, shape, trial(Methods.method("response"), 3.0, 0.4, null, null, null, null, null), false);
        compare(new ModelSpec("cnn", List.of(9), cnn.conv(), "tanh", 0.0), shape,
                trial(Methods.method("response"), 2.0, 0.5, null, null, null, null, null), false);
        // a hint on the dense layer after the blocks (student layer 3 <- teacher layer 2, 9 -> 9: no projection)
        LayerMapping dense = new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(2), 1.0, "mean")));
        compare(cnn, shape, trial(Methods.method("feature"), 2.0, 0.5, 0.8, 0.2, dense, "mse", null), false);
    }

    @Test
    void declinesWhatOnlyTheGraphComputes() {
        TrainingConfig config = TrainingConfig.builder().updater(new Adam(1e-3)).dataSetFeatureMapping("input")
                .dataSetLabelMapping("labels").build();
        LayerMapping one = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(2), 1.0, "mean")));
        LayerMapping concat = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(1, 2), 1.0, "concat")));
        Map<String, TrialSpec> declined = Map.of(
                "concat", trial(Methods.method("feature"), 4.0, 0.5, 0.8, 0.2, concat, "mse", null),
                "a tap loss (association)", trial(Methods.method("association"), 4.0, 0.5, 0.8, 0.2, null, null, null));
        declined.forEach((what, t) -> {
            Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16, 9), null, "relu", 0.0),
                    new NetworkBuilder.InputShape(1, 3, 4), CLASSES, 2);
            DistillationObjective obj = DistillationObjective.build(net, t, CLASSES, TEACHER_SHAPES);
            assertNull(DenseStep.of(net, obj, config), what + " must train through the graph");
        });
        java.util.function.Supplier<Network> newCnn = () -> NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("cnn", List.of(8),
                List.of(new ModelSpec.ConvBlock(4, 3, true)), "relu", 0.0), new NetworkBuilder.InputShape(1, 4, 4), CLASSES, 2);
        Network cnn = newCnn.get();
        DistillationObjective base = DistillationObjective.build(cnn, trial(Methods.method("baseline"), null, null, null, null, null, null, null),
                CLASSES, java.util.List.of());
        assertNotNull(DenseStep.of(cnn, base, config), "CNN students train by hand too");
        LayerMapping onBlock = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(2), 1.0, "mean")));
        Network cnn2 = newCnn.get();
        DistillationObjective hintOnBlock = DistillationObjective.build(cnn2, trial(Methods.method("feature"), 4.0, 0.5, 0.8, 0.2, onBlock, "mse", null),
                CLASSES, TEACHER_SHAPES);
        assertNull(DenseStep.of(cnn2, hintOnBlock, config), "hints on convolutional blocks need the graph");
    }
}
