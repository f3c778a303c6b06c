package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.TestPaths;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.Projections;
import org.kdharness.distill.SoftTargets;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The science's invariances on the layer engine, on a residual student trained for real (4 steps, same seed, same data
 * order): response KD with alpha = 1 is the baseline, and feature KD with w1 = 0, w2 = 1 is response KD.
 */
class EngineInvarianceTest {

    private static final ModelSpec RESNET8 = new ModelSpec("resnet", null, null, null, null, 8, 1);
    /** A teacher's taps on 28x28 images (a resnet8's stage1..3 and pool). */
    private static final List<long[]> TEACHER = List.of(new long[]{16, 28, 28}, new long[]{32, 14, 14}, new long[]{64, 7, 7}, new long[]{64});

    private final DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
            TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 160, 50, 1L));

    /** The student's parameters after one epoch of {@code trial}, by name; teacher outputs drawn from a fixed seed. */
    private Map<String, INDArray> train(TrialSpec trial) {
        Network net = NetworkBuilder.build(SameDiff.create(), "", RESNET8, new NetworkBuilder.InputShape(1, 28, 28), 10, 9);
        DistillationObjective obj = DistillationObjective.build(net, trial, 10, TEACHER);
        int n = data.train().size();
        Nd4j.getRandom().setSeed(17);
        INDArray logits = Nd4j.randn(DataType.FLOAT, n, 10).muli(3);
        List<INDArray> inputs = new ArrayList<>();
        for (ObjectiveInput in : obj.inputs()) {
            inputs.add(switch (in.kind()) {
                case LABELS -> data.train().oneHot();
                case TEACHER_PROBS -> SoftTargets.soften(logits, trial.effectiveTemperature());
                case TEACHER_LOGITS -> logits;
                case TEACHER_LAYER -> Nd4j.randn(DataType.FLOAT, n, Projections.size(TEACHER.get(in.teacherLayer() - 1)));
                case LABEL_MASK -> throw new IllegalStateException("every label is used");
            });
        }
        Trainer.Result r = new Trainer().fit(net, new TrainingSpec(1, 32, 1e-3, "adam", 0.0, 0L, 0), 9, data.train(), obj, inputs,
                data.validation(), null);
        assertEquals("layers", r.engine(), trial.method().name() + " trains on the layer engine");
        Map<String, INDArray> params = new LinkedHashMap<>();
        net.params().forEach(p -> params.put(p, net.sd().getVariable(p).getArr().dup()));
        return params;
    }

    private static void assertSame(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String p : expected.keySet()) {
            double diff = expected.get(p).sub(actual.get(p)).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-6 * Math.max(1, expected.get(p).amaxNumber().doubleValue()), what + ": " + p + " differs by " + diff);
        }
    }

    @Test
    void responseWithAlphaOneIsTheBaseline() {
        Map<String, INDArray> baseline = train(TrialSpec.of(Methods.method("baseline"), 3).build());
        Map<String, INDArray> response = train(TrialSpec.of(Methods.method("response"), 3).temperature(4.0).alpha(1.0).build());
        assertSame(baseline, response, "response with alpha = 1");
        // and the check can fail: alpha = 0.5 trains another student
        Map<String, INDArray> half = train(TrialSpec.of(Methods.method("response"), 3).temperature(4.0).alpha(0.5).build());
        assertTrue(baseline.get("fc_W").sub(half.get("fc_W")).amaxNumber().doubleValue() > 1e-4, "alpha = 0.5 differs");
    }

    @Test
    void featureWithW1ZeroIsResponse() {
        Map<String, INDArray> response = train(TrialSpec.of(Methods.method("response"), 3).temperature(4.0).alpha(0.5).build());
        // stage2 <- stage2 through a pooled, projected map, and a many-to-one pair: with w1 = 0 none of it reaches the student
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(2), 1.0, "mean"),
                new LayerMapping.Pair(3, List.of(2, 3), 0.5, "mean")));
        Map<String, INDArray> feature = train(TrialSpec.of(Methods.method("feature"), 3).temperature(4.0).alpha(0.5).weights(0.0, 1.0)
                .mapping(mapping, Methods.distance("mse")).build());
        assertSame(response, feature, "feature with w1 = 0");
        Map<String, INDArray> weighted = train(TrialSpec.of(Methods.method("feature"), 3).temperature(4.0).alpha(0.5).weights(0.5, 1.0)
                .mapping(mapping, Methods.distance("mse")).build());
        assertTrue(response.get("stem_W").sub(weighted.get("stem_W")).amaxNumber().doubleValue() > 1e-5, "w1 = 0.5 differs");
    }
}
