package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layer engine's step computes the gradients SameDiff computes for the same residual student, objective and
 * batch (BatchNorm on the batch's statistics), for every registered method it takes, and declines the rest.
 */
class LayerStepTest {

    private static final int CLASSES = 5;
    private static final NetworkBuilder.InputShape SHAPE = new NetworkBuilder.InputShape(1, 8, 8);
    /** The teacher's taps: a resnet8 (width 1) on 8x8 images, stage1..3 and pool. */
    private static final List<long[]> TEACHER = List.of(new long[]{16, 8, 8}, new long[]{32, 4, 4}, new long[]{64, 2, 2}, new long[]{64});

    private final Random rng = new Random(5);

    private void compare(ModelSpec model, TrialSpec trial) {
        Network net = NetworkBuilder.build(SameDiff.create(), "", model, SHAPE, CLASSES, 2);
        DistillationObjective obj = DistillationObjective.build(net, trial, CLASSES, TEACHER);
        // float and oneDNN's kernels on both sides, but summed in other orders: 2e-3 of each gradient's largest entry
        StepOracle.compare(net, obj, LayerStep::of, rng, TEACHER, 2e-3, trial.method().name() + " on " + model.shortName());
    }

    @Test
    void everyLogitMethodStepsLikeTheGraphOnResidualStudents() {
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(3), 1.0, "mean")));
        int covered = 0;
        for (TrialSpec t : DistillationRegistry.standard().exampleTrials(mapping)) {
            if (t.method().family() == null && t.method().tapLoss() == null) {
                for (ModelSpec m : List.of(new ModelSpec("resnet", null, null, null, null, 8, 1),
                        new ModelSpec("wrn", null, null, null, null, 10, 1))) {
                    compare(m, t);
                    covered++;
                }
            }
        }
        assertTrue(covered >= 6, "baseline, response and DKD on both students at least: " + covered);
    }

    @Test
    void everyLayerMethodStepsLikeTheGraphOnResidualStudents() {
        // stage1 (16x8x8) <- stage2 (32x4x4): pooled 2x2, then a 1x1 convolution 16 -> 32; pool (64) <- stage3 (64x2x2):
        // a vector against a map, flattened and mapped linearly; stage3 <- {stage3, pool}: same shape (no projection), then a
        // map against a vector
        // map against a vector; stage3 (64x2x2) <- stage2 (32x4x4): the teacher's map pooled onto the student's, then 64 -> 32
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(2), 0.7, "mean"),
                new LayerMapping.Pair(4, List.of(3), 1.0, "mean"), new LayerMapping.Pair(3, List.of(3, 4), 0.5, "mean"),
                new LayerMapping.Pair(3, List.of(2), 0.3, "mean")));
        int covered = 0;
        for (TrialSpec t : DistillationRegistry.standard().exampleTrials(mapping)) {
            if (t.method().family() != null && !t.distance().mapsOnly()) {
                compare(new ModelSpec("resnet", null, null, null, null, 8, 1), t);
                covered++;
            }
        }
        assertTrue(covered >= 5, "hints (mse, cosine) and relations (sp, rkd, pkt) at least: " + covered);
    }

    @Test
    void attentionTransferStepsLikeTheGraphOnMapsOfOtherSizesAndWidths() {
        // stage1 (16x8x8) <- stage2 (32x4x4): the student's map pooled; stage3 (64x2x2) <- stage1 (16x8x8): the teacher's
        // map pooled 4x4; stage2 <- {stage2, stage3}: a many-to-one pair averaged
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(2), 0.7, "mean"),
                new LayerMapping.Pair(3, List.of(1), 1.0, "mean"), new LayerMapping.Pair(2, List.of(2, 3), 0.5, "mean")));
        compare(new ModelSpec("resnet", null, null, null, null, 8, 1), TrialSpec.of(Methods.method("feature"), 1).temperature(4.0)
                .alpha(0.5).weights(0.8, 0.2).mapping(mapping, Methods.distance("attention")).build());
    }

    @Test
    void concatenatedTargetsStepLikeTheGraph() {
        // pool (64) <- {stage3 (64x2x2), pool (64)} concatenated (320 wide, mapped linearly); stage2 (32x4x4) <- {stage1, stage2}
        // concatenated (1536 wide) beside a plain pair on the same tap
        LayerMapping concat = new LayerMapping(List.of(new LayerMapping.Pair(4, List.of(3, 4), 1.0, "concat"),
                new LayerMapping.Pair(2, List.of(1, 2), 0.5, "concat"), new LayerMapping.Pair(2, List.of(2), 0.3, "mean")));
        for (String distance : List.of("mse", "cosine")) {
            compare(new ModelSpec("resnet", null, null, null, null, 8, 1), TrialSpec.of(Methods.method("feature"), 1).temperature(4.0)
                    .alpha(0.5).weights(0.8, 0.2).mapping(concat, Methods.distance(distance)).build());
        }
    }

    @Test
    void theAssociationStepsLikeTheGraph() {
        // every student tap against every teacher layer: queries, keys and one projection per pair, through SameDiff's
        // gradient with respect to the taps, then the engine's backward pass
        TrialSpec association = TrialSpec.of(Methods.method("association"), 1).temperature(4.0).alpha(0.5).weights(0.8, 0.2).build();
        compare(new ModelSpec("resnet", null, null, null, null, 8, 1), association);
        compare(new ModelSpec("wrn", null, null, null, null, 10, 1), association);
        // after the optimiser has moved the association's variables (in the objective graph, in place), the step reads the
        // moved values: every variable of the trained graph changed after the step was built, as steps change them
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("resnet", null, null, null, null, 8, 1), SHAPE, CLASSES, 2);
        DistillationObjective obj = DistillationObjective.build(net, association, CLASSES, TEACHER);
        StepOracle.compare(net, obj, (n, o, config) -> {
            HandStep step = LayerStep.of(n, o, config);
            for (String name : o.projectionParams()) {
                INDArray v = n.sd().getVariable(name).getArr();
                v.addi(Nd4j.randn(v.dataType(), v.shape()).muli(0.5));
            }
            return step;
        }, rng, TEACHER, 2e-3, "association after its variables moved");
    }

    @Test
    void theProbeOnTheEnginesLogitsAndTapsMeasuresWhatTheGraphMeasures() {
        TrialSpec dkd = DistillationRegistry.standard().exampleTrials(new LayerMapping(List.of(new LayerMapping.Pair(3, List.of(3), 1.0,
                "mean")))).stream().filter(t -> t.method().name().equals("dkd")).findFirst().orElseThrow();
        // a projected, pooled hint and a concatenated one; the association (its queries, keys and projections)
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(2), 0.7, "mean"),
                new LayerMapping.Pair(4, List.of(3, 4), 1.0, "concat")));
        TrialSpec feature = TrialSpec.of(Methods.method("feature"), 3).temperature(4.0).alpha(0.5).weights(0.8, 0.2)
                .mapping(mapping, Methods.distance("mse")).build();
        TrialSpec association = TrialSpec.of(Methods.method("association"), 3).temperature(4.0).alpha(0.5).weights(0.8, 0.2).build();
        for (TrialSpec trial : List.of(TrialSpec.of(Methods.method("response"), 3).temperature(4.0).alpha(0.3).build(), dkd, feature,
                association)) {
            Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("resnet", null, null, null, null, 8, 1), SHAPE, CLASSES, 2);
            DistillationObjective obj = DistillationObjective.build(net, trial, CLASSES, TEACHER);
            int n = 50;
            org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, 64);
            int[] order = java.util.stream.IntStream.range(0, n).toArray();
            BatchNormStatistics.update(net, x, order, 16); // inference on measured statistics, not the initial 0 and 1
            List<org.nd4j.linalg.api.ndarray.INDArray> inputs = new java.util.ArrayList<>();
            for (org.kdharness.distill.ObjectiveInput in : obj.inputs()) {
                org.nd4j.linalg.api.ndarray.INDArray logits = org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, n,
                        CLASSES).muli(2);
                inputs.add(switch (in.kind()) {
                    case LABELS -> org.nd4j.linalg.factory.Nd4j.eye(CLASSES).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                            .getRows(java.util.stream.IntStream.range(0, n).map(i -> i % CLASSES).toArray());
                    case TEACHER_PROBS -> org.nd4j.linalg.ops.transforms.Transforms.softmax(logits.div(4.0));
                    case TEACHER_LAYER -> org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, n,
                            org.kdharness.distill.Projections.size(TEACHER.get(in.teacherLayer() - 1)));
                    default -> logits;
                });
            }
            java.util.Map<String, Double> graph = new LossProbe(net, x, obj, inputs, 1, 16).measure();
            java.util.Map<String, Double> engine = LossProbe.onEngine(net, x, obj,
                    rows -> inputs.stream().map(a -> org.nd4j.linalg.factory.Nd4j.pullRows(a, 1, rows)).toList(), 1, 16).measure();
            org.junit.jupiter.api.Assertions.assertEquals(graph.keySet(), engine.keySet(), trial.method().name());
            assertTrue(graph.size() >= 3, "the loss and its terms: " + graph);
            graph.forEach((k, v) -> org.junit.jupiter.api.Assertions.assertEquals(v, engine.get(k), 1e-4 * Math.max(1, Math.abs(v)),
                    trial.method().name() + " " + k));
        }
    }

    @Test
    void plainNetworksHaveAnEngineTwinToo() {
        TrainingConfig config = TrainingConfig.builder().updater(new Adam(1e-3)).dataSetFeatureMapping("input")
                .dataSetLabelMapping("labels").build();
        Network mlp = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16, 9), null, "relu", 0.0), SHAPE, CLASSES, 2);
        TrialSpec baseline = TrialSpec.of(Methods.method("baseline"), 1).build();
        org.junit.jupiter.api.Assertions.assertNotNull(LayerStep.of(mlp, DistillationObjective.build(mlp, baseline, CLASSES, TEACHER), config));
    }
}
