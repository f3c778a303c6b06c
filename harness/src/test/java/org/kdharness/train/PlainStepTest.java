package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On MLPs and plain CNNs, the layer engine's step computes the gradients SameDiff computes for the same graph, loss
 * and batch: every activation, every registered method, transfer data's label mask, dropout, concatenated targets,
 * tap losses, terms on convolutional blocks, pooling before each offered activation, even kernels, non-square images.
 */
class PlainStepTest {

    private static final int CLASSES = 5;
    /** Teacher hidden layers: a 20-wide and a 9-wide vector. */
    private static final List<long[]> TEACHER_SHAPES = List.of(new long[]{20}, new long[]{9});
    private static final NetworkBuilder.InputShape MLP_INPUT = new NetworkBuilder.InputShape(1, 3, 4);

    private final Random rng = new Random(5);

    /** Builders start biases at zero; non-zero ones make the bias terms of the comparison count. */
    private void randomiseBiases(SameDiff sd) {
        sd.variables().stream().filter(v -> v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE
                && v.name().endsWith("_b")).forEach(v -> {
                    INDArray b = v.getArr();
                    b.assign(org.nd4j.linalg.factory.Nd4j.randn(b.dataType(), b.shape()).muli(0.5));
                });
    }

    private void compare(ModelSpec model, NetworkBuilder.InputShape shape, TrialSpec trial, List<long[]> teacher) {
        compare(model, shape, trial, teacher, false);
    }

    private void compare(ModelSpec model, NetworkBuilder.InputShape shape, TrialSpec trial, List<long[]> teacher, boolean labelMask) {
        Network net = NetworkBuilder.build(SameDiff.create(), "", model, shape, CLASSES, 2);
        DistillationObjective obj = DistillationObjective.build(net, trial, CLASSES, teacher);
        assertEquals(labelMask, obj.labelPlaceholders().contains(DistillationObjective.LABEL_MASK));
        randomiseBiases(net.sd());
        StepOracle.compare(net, obj, LayerStep::of, rng, teacher, 1e-4, trial.method() + "/" + model);
    }

    private static TrialSpec trial(DistillationMethod method, Double t, Double alpha, Double w1, Double w2, LayerMapping mapping,
                                   String distance) {
        return trial(method, t, alpha, w1, w2, mapping, distance, null);
    }

    private static TrialSpec trial(DistillationMethod method, Double t, Double alpha, Double w1, Double w2, LayerMapping mapping,
                                   String distance, Double labelledFraction) {
        return new TrialSpec(method, t, alpha, w1, w2, mapping, distance == null ? null : Methods.distance(distance), 1, null, null,
                labelledFraction, null, null);
    }

    private static ModelSpec mlp(String activation, double dropout) {
        return new ModelSpec("mlp", List.of(16, 9), null, activation, dropout);
    }

    @Test
    void baselineStepsLikeTheGraphForEveryActivation() {
        for (String activation : List.of("relu", "tanh", "sigmoid", "leaky_relu", "elu")) {
            compare(mlp(activation, 0.0), MLP_INPUT, trial(Methods.method("baseline"), null, null, null, null, null, null), TEACHER_SHAPES);
        }
    }

    @Test
    void responseStepsLikeTheGraph() {
        compare(mlp("relu", 0.0), MLP_INPUT, trial(Methods.method("response"), 4.0, 0.3, null, null, null, null), TEACHER_SHAPES);
        compare(mlp("tanh", 0.0), MLP_INPUT, trial(Methods.method("response"), 1.0, 0.0, null, null, null, null), TEACHER_SHAPES);
        // transfer data: the hard term averages over the batch's labelled rows only
        compare(mlp("relu", 0.0), MLP_INPUT, trial(Methods.method("response"), 2.0, 0.6, null, null, null, null, 0.5), TEACHER_SHAPES, true);
    }

    @Test
    void featureStepsLikeTheGraph() {
        // s1 <- t1 through a 16->20 projection; s2 <- {t1, t2} averaged: a 9->20 projection and none for 9->9
        LayerMapping mapping = new LayerMapping(List.of(
                new LayerMapping.Pair(1, List.of(1), 0.7, "mean"),
                new LayerMapping.Pair(2, List.of(1, 2), 1.5, "mean")));
        compare(mlp("relu", 0.0), MLP_INPUT, trial(Methods.method("feature"), 3.0, 0.5, 0.8, 0.2, mapping, "mse"), TEACHER_SHAPES);
        compare(mlp("elu", 0.0), MLP_INPUT, trial(Methods.method("feature"), 3.0, 1.0, 2.0, 0.5, mapping, "mse", 0.5), TEACHER_SHAPES, true);
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
            compare(mlp("tanh", 0.0), MLP_INPUT, t, TEACHER_SHAPES);
        }
    }

    @Test
    void cnnStepsLikeTheGraph() {
        // two blocks (3x3 then 5x5 kernels, pooling 6x6 -> 3x3 in the first), a dense layer, two input channels
        ModelSpec cnn = new ModelSpec("cnn", List.of(9), List.of(new ModelSpec.ConvBlock(4, 3, true),
                new ModelSpec.ConvBlock(5, 5, false)), "relu", 0.0);
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(2, 6, 6);
        compare(cnn, shape, trial(Methods.method("baseline"), null, null, null, null, null, null), TEACHER_SHAPES);
        compare(cnn, shape, trial(Methods.method("response"), 3.0, 0.4, null, null, null, null), TEACHER_SHAPES);
        compare(new ModelSpec("cnn", List.of(9), cnn.conv(), "tanh", 0.0), shape,
                trial(Methods.method("response"), 2.0, 0.5, null, null, null, null), TEACHER_SHAPES);
        // a hint on the dense layer after the blocks (student layer 3 <- teacher layer 2, 9 -> 9: no projection)
        LayerMapping dense = new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(2), 1.0, "mean")));
        compare(cnn, shape, trial(Methods.method("feature"), 2.0, 0.5, 0.8, 0.2, dense, "mse"), TEACHER_SHAPES);
    }

    @Test
    void dropoutStepsLikeTheGraphWithTheStepsMasks() {
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(1), 1.0, "mean")));
        for (String activation : List.of("relu", "elu")) {
            compare(mlp(activation, 0.3), MLP_INPUT, trial(Methods.method("baseline"), null, null, null, null, null, null), TEACHER_SHAPES);
            compare(mlp(activation, 0.5), MLP_INPUT, trial(Methods.method("feature"), 3.0, 0.5, 0.8, 0.2, mapping, "mse"), TEACHER_SHAPES);
        }
        // a CNN whose dense layer drops out
        ModelSpec cnn = new ModelSpec("cnn", List.of(8), List.of(new ModelSpec.ConvBlock(3, 3, true)), "relu", 0.4);
        compare(cnn, new NetworkBuilder.InputShape(1, 4, 4), trial(Methods.method("response"), 2.0, 0.5, null, null, null, null),
                TEACHER_SHAPES);
    }

    @Test
    void concatenatedTargetsAndTapLossesStepLikeTheGraph() {
        LayerMapping concat = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(1, 2), 1.0, "concat")));
        compare(mlp("relu", 0.0), MLP_INPUT, trial(Methods.method("feature"), 4.0, 0.5, 0.8, 0.2, concat, "mse"), TEACHER_SHAPES);
        compare(mlp("tanh", 0.0), MLP_INPUT, trial(Methods.method("association"), 4.0, 0.5, 0.8, 0.2, null, null), TEACHER_SHAPES);
        ModelSpec cnn = new ModelSpec("cnn", List.of(8), List.of(new ModelSpec.ConvBlock(4, 3, true)), "relu", 0.0);
        compare(cnn, new NetworkBuilder.InputShape(1, 4, 4), trial(Methods.method("association"), 4.0, 0.5, 0.8, 0.2, null, null),
                TEACHER_SHAPES);
    }

    @Test
    void termsOnConvolutionalBlocksStepLikeTheGraph() {
        ModelSpec cnn = new ModelSpec("cnn", List.of(8), List.of(new ModelSpec.ConvBlock(4, 3, true)), "relu", 0.0);
        NetworkBuilder.InputShape shape = new NetworkBuilder.InputShape(1, 4, 4);
        // a hint on the block (4 channels at 2x2: 16 values) from a 9-wide teacher layer: a projection
        LayerMapping onBlock = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(2), 1.0, "mean")));
        compare(cnn, shape, trial(Methods.method("feature"), 4.0, 0.5, 0.8, 0.2, onBlock, "mse"), TEACHER_SHAPES);
        // attention transfer between the block and a teacher map of another channel count
        List<long[]> maps = List.of(new long[]{6, 2, 2}, new long[]{9});
        LayerMapping mapToMap = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(1), 1.0, "mean")));
        compare(cnn, shape, trial(Methods.method("feature"), 4.0, 0.5, 0.8, 0.2, mapToMap, "attention"), maps);
    }

    @Test
    void everyActivationPoolsLikeTheGraphAndEvenKernelsPadLikeIt() {
        // the engine pools before a non-decreasing activation; the graph activates first
        for (String activation : List.of("relu", "tanh", "sigmoid", "leaky_relu", "elu")) {
            ModelSpec cnn = new ModelSpec("cnn", List.of(8), List.of(new ModelSpec.ConvBlock(3, 3, true),
                    new ModelSpec.ConvBlock(4, 3, true)), activation, 0.0);
            compare(cnn, new NetworkBuilder.InputShape(2, 8, 8), trial(Methods.method("response"), 2.0, 0.5, null, null, null, null),
                    TEACHER_SHAPES);
        }
        // an even kernel: SAME padding puts the odd pixel at the bottom/right, as the graph's; a non-square image
        ModelSpec even = new ModelSpec("cnn", List.of(8), List.of(new ModelSpec.ConvBlock(3, 2, false)), "tanh", 0.0);
        compare(even, new NetworkBuilder.InputShape(2, 5, 3), trial(Methods.method("response"), 2.0, 0.5, null, null, null, null),
                TEACHER_SHAPES);
    }
}
