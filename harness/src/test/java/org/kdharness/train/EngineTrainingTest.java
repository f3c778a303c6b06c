package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.TestPaths;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.Methods;
import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.LogitTerm;
import org.kdharness.distill.ObjectiveInput;
import org.kdharness.distill.WeightedTerm;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.methods.HardCrossEntropy;
import org.nd4j.autodiff.samediff.SDVariable;
import org.kdharness.distill.SoftTargets;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on the layer engine follows the graph's training on MLPs and plain CNNs: same batches, dropout
 * masks, updater and weight decay give the same losses and weights epoch after epoch.
 */
class EngineTrainingTest {

    private static final DataSplits DATA = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
            TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 600, 100, 1L));
    private static final long[] TEACHER = {40, 24};

    private record Run(Trainer.Result result, Network net) {
    }

    private static final ModelSpec MLP = new ModelSpec("mlp", List.of(32, 16), null, "relu", 0.2);

    private static Run train(Trainer.Engine engine, TrialSpec trial, String optimiser) {
        return train(engine, trial, optimiser, MLP, 0.5);
    }

    private static Run train(Trainer.Engine engine, TrialSpec trial, String optimiser, ModelSpec model, double weightDecay) {
        // strong weight decay, so that applying it differently would show in the weights
        return train(engine, trial, new TrainingSpec(3, 64, 2e-3, optimiser, weightDecay, 0L, 0), model);
    }

    private static Run train(Trainer.Engine engine, TrialSpec trial, TrainingSpec spec, ModelSpec model) {
        Network net = NetworkBuilder.build(SameDiff.create(), "", model, new NetworkBuilder.InputShape(1, 28, 28), 10, 3);
        DistillationObjective obj = DistillationObjective.build(net, trial, 10, java.util.List.of(new long[]{TEACHER[0]}, new long[]{TEACHER[1]}));
        int n = DATA.train().size();
        List<INDArray> labels = new ArrayList<>();
        for (ObjectiveInput in : obj.inputs()) {
            labels.add(switch (in.kind()) {
                case LABELS -> DATA.train().oneHot();
                case TEACHER_PROBS -> SoftTargets.soften(uniform(n, 10, 9).muli(6), 4.0);
                case TEACHER_LOGITS -> uniform(n, 10, 9).muli(6);
                case LABEL_MASK -> uniform(n, 1, 8).gt(0.5).castTo(DataType.FLOAT);
                case TEACHER_LAYER -> uniform(n, TEACHER[in.teacherLayer() - 1], 7);
            });
        }
        return new Run(new Trainer(engine).fit(net, spec, 3, DATA.train(), obj, labels, DATA.validation(), null), net);
    }

    private static INDArray uniform(long rows, long cols, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextFloat();
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    private static void assertSameTraining(TrialSpec trial, String optimiser) {
        assertSameTraining(trial, optimiser, MLP, 0.5);
    }

    private static void assertSameTraining(TrialSpec trial, String optimiser, ModelSpec model, double weightDecay) {
        assertSameTraining(trial, new TrainingSpec(3, 64, 2e-3, optimiser, weightDecay, 0L, 0), model);
    }

    private static void assertSameTraining(TrialSpec trial, TrainingSpec spec, ModelSpec model) {
        Run graph = train(Trainer.Engine.GRAPH, trial, spec, model);
        Run engine = train(Trainer.Engine.AUTO, trial, spec, model);
        assertFalse(graph.result().handWritten());
        assertEquals("layers", engine.result().engine(), trial.method() + " should train on the layer engine");
        for (int e = 0; e < 3; e++) {
            Map<String, Double> g = graph.result().epochs().get(e), d = engine.result().epochs().get(e);
            for (String k : g.keySet()) {
                if (k.startsWith("train_")) {
                    assertEquals(g.get(k), d.get(k), 2e-3 * Math.abs(g.get(k)) + 1e-5, trial.method() + " epoch " + (e + 1) + " " + k);
                }
            }
            assertEquals(g.get("val_accuracy"), d.get("val_accuracy"), 0.02, "val accuracy in epoch " + (e + 1));
        }
        // the first epoch's loss differs from the third: training happened on both paths
        assertTrue(graph.result().epochs().get(2).get("train_loss") < graph.result().epochs().get(0).get("train_loss"));
        for (String p : graph.net().params()) {
            INDArray a = graph.net().sd().getVariable(p).getArr(), b = engine.net().sd().getVariable(p).getArr();
            assertTrue(a.sub(b).amaxNumber().doubleValue() < 2e-3, p + " differs by " + a.sub(b).amaxNumber());
        }
    }

    @Test
    void responseWithDropoutAndWeightDecayFollowsTheGraph() {
        assertSameTraining(new TrialSpec(Methods.method("response"), 4.0, 0.5, null, null, null, null, 3, null, null, 0.5, null), "adam");
    }

    @Test
    void theCifarRecipeFollowsTheGraph() {
        // PyTorch-style SGD with momentum, L2 weight decay before the momentum, a two-epoch warm-up (x0.5, x1) and the
        // rate halved after epoch 2: rates 0.025, 0.05, 0.025, which both paths must read in the same epochs
        TrainingSpec recipe = new TrainingSpec(3, 64, 0.05, "sgd", 0.05, 0L, 0, 0.9,
                new org.kdharness.config.LrSchedule("step", List.of(2), 0.5, 2));
        assertEquals(0.025, Trainer.updater(recipe).getLearningRate(0, 0), 1e-12);
        assertEquals(0.05, Trainer.updater(recipe).getLearningRate(0, 1), 1e-12);
        assertEquals(0.025, Trainer.updater(recipe).getLearningRate(0, 2), 1e-12);
        assertSameTraining(new TrialSpec(Methods.method("response"), 4.0, 0.5, null, null, null, null, 3), recipe, MLP);
    }

    @Test
    void cnnWithoutWeightDecayFollowsTheGraph() {
        // the fused Adam step (no regularisation in between) and two pooled convolutional blocks
        ModelSpec cnn = new ModelSpec("cnn", List.of(16), List.of(new ModelSpec.ConvBlock(4, 3, true),
                new ModelSpec.ConvBlock(6, 3, true)), "relu", 0.2);
        assertSameTraining(new TrialSpec(Methods.method("response"), 4.0, 0.5, null, null, null, null, 3), "adam", cnn, 0.0);
    }

    @Test
    void featureFollowsTheGraphWithAdamSgdAndNesterov() {
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(1, List.of(1), 1.0, "mean"),
                new LayerMapping.Pair(2, List.of(2), 0.5, "mean")));
        TrialSpec feature = new TrialSpec(Methods.method("feature"), 2.0, 0.7, 0.8, 0.2, mapping, Methods.distance("mse"), 3);
        assertSameTraining(feature, "adam");
        assertSameTraining(feature, "sgd");
        assertSameTraining(feature, "nesterovs");
    }

    /** A logit term with a graph loss and no hand gradient: mean squared error between the softened distributions. */
    private record SoftL2() implements LogitTerm {
        @Override
        public String name() {
            return "soft_l2";
        }

        @Override
        public boolean needsTeacherProbs() {
            return true;
        }

        @Override
        public Graph build(SameDiff sd, Inputs in, double weight) {
            SDVariable d = sd.math.squaredDifference(sd.nn.softmax(in.logits().div(in.temperature()), 1), in.teacherProbs()).mean();
            return new Graph(List.of(sd.identity("loss_soft_l2", d.mul(weight))), Map.of("soft_l2", d));
        }
    }

    /** A method made of a term with a hand gradient (hard CE) and one without. */
    private record SoftL2Kd() implements DistillationMethod {
        @Override
        public String name() {
            return "soft_l2_kd";
        }

        @Override
        public java.util.Set<Axis> axes() {
            return java.util.Set.of(Axis.TEMPERATURE);
        }

        @Override
        public List<WeightedTerm> logitTerms(TrialSpec trial) {
            return List.of(new WeightedTerm(0.5, HardCrossEntropy.INSTANCE), new WeightedTerm(2.0, new SoftL2()));
        }
    }

    /** A hint distance with a graph loss and no hand gradient. */
    private record L1Hint() implements LayerDistance {
        @Override
        public String name() {
            return "l1";
        }

        @Override
        public Family family() {
            return Family.HINT;
        }

        @Override
        public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
            return sd.math.abs(student.sub(teacher)).mean();
        }
    }

    @Test
    void aTermWithoutHandGradientTrainsThroughTheGraph() {
        DistillationRegistry registry = DistillationRegistry.standard().with(new SoftL2Kd()).with(new L1Hint());
        Run noHand = train(Trainer.Engine.AUTO, new TrialSpec(registry.method("soft_l2_kd"), 4.0, null, null, null, null, null, 3),
                "adam");
        assertEquals("graph", noHand.result().engine(), "a method with a term lacking a hand gradient must train through the graph");
        assertTrue(noHand.result().epochs().get(0).containsKey("train_soft_l2"), "the probe reports the new term");
        LayerMapping mapping = new LayerMapping(List.of(new LayerMapping.Pair(2, List.of(2), 1.0, "mean")));
        Run l1 = train(Trainer.Engine.AUTO, new TrialSpec(registry.method("feature"), 4.0, 0.5, 0.8, 0.2, mapping,
                registry.distance("l1"), 3), "adam");
        assertEquals("graph", l1.result().engine(), "a distance without a hand gradient must train through the graph");
        // control: the same method with a distance that has one takes the layer engine
        Run mse = train(Trainer.Engine.AUTO, new TrialSpec(registry.method("feature"), 4.0, 0.5, 0.8, 0.2, mapping,
                registry.distance("mse"), 3), "adam");
        assertEquals("layers", mse.result().engine());
    }
}
