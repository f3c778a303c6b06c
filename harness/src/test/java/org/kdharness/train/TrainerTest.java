package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.TestPaths;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.Methods;
import org.kdharness.distill.TrialSpec;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Early stopping stops after `patience` epochs without a better validation accuracy and keeps the best epoch. */
class TrainerTest {

    private Trainer.Result train(double learningRate, int patience) {
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 500, 100, 1L));
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16), null, null, null),
                new NetworkBuilder.InputShape(1, 28, 28), 10, 3);
        DistillationObjective obj = DistillationObjective.build(net, new TrialSpec(Methods.method("baseline"), null, null, null, null,
                null, null, 3), 10, java.util.List.of());
        return new Trainer().fit(net, new TrainingSpec(10, 50, learningRate, "sgd", 0.0, 0L, patience), 3, data.train(),
                obj, List.of(data.train().oneHot()), data.validation(), null);
    }

    @Test
    void stopsWhenValidationAccuracyStopsImproving() {
        // a learning rate of 1e-12 leaves the weights, and so validation accuracy, unchanged:
        // no epoch after the first improves on it, so patience 1 stops after epoch 2
        Trainer.Result frozen = train(1e-12, 1);
        assertEquals(2, frozen.epochsRun());
        assertEquals(1, frozen.bestEpoch());
        // the console says so: where, why, and which weights were kept
        String best = String.format(java.util.Locale.ROOT, "%.4f", frozen.epochs().get(0).get("val_accuracy"));
        assertEquals("stopped early at epoch 2 of 10: val_accuracy has not risen above " + best + " (epoch 1) for 1 epoch"
                + " (patience 1); epoch 1's weights kept", frozen.earlyStop());
        Trainer.Result learning = train(0.05, 0);
        assertEquals(10, learning.epochsRun(), "no early stopping without patience");
        assertEquals(null, learning.earlyStop(), "nothing to say when every planned epoch ran");
        assertTrue(learning.epochs().get(9).get("val_accuracy") > learning.epochs().get(0).get("val_accuracy"));
    }

    @Test
    void earlyStoppingRestoresTheBestEpochsProjectionsWithTheStudent() {
        // an association trial: queries, keys and projections are trained beside the student; the kept epoch must be
        // one state of all of them, or the stored validation association mixes epochs
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 500, 100, 1L));
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16, 8), null, null, null),
                new NetworkBuilder.InputShape(1, 28, 28), 10, 3);
        List<long[]> teacher = List.of(new long[]{12}, new long[]{6});
        TrialSpec trial = TrialSpec.of(Methods.method("association"), 3).temperature(4.0).alpha(0.5).weights(0.8, 0.2).build();
        DistillationObjective obj = DistillationObjective.build(net, trial, 10, teacher);
        assertTrue(obj.projectionParams().contains("assoc_q1_W"), obj.projectionParams().toString());
        java.util.Random r = new java.util.Random(4);
        List<org.nd4j.linalg.api.ndarray.INDArray> inputs = new java.util.ArrayList<>();
        for (org.kdharness.distill.ObjectiveInput in : obj.inputs()) {
            inputs.add(switch (in.kind()) {
                case LABELS -> data.train().oneHot();
                case TEACHER_PROBS -> org.kdharness.distill.SoftTargets.soften(data.train().oneHot().mul(3), 4.0);
                case TEACHER_LAYER -> org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT,
                        data.train().size(), teacher.get(in.teacherLayer() - 1)[0]);
                default -> throw new IllegalStateException(in.toString());
            });
        }
        List<String> variables = new java.util.ArrayList<>(net.params());
        variables.addAll(obj.projectionParams());
        List<java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray>> perEpoch = new java.util.ArrayList<>();
        Trainer.Result result = new Trainer().fit(net, new TrainingSpec(8, 50, 0.5, "sgd", 0.0, 0L, 3), 3, data.train(), obj, inputs,
                data.validation(), (epoch, m) -> {
                    java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> copy = new java.util.HashMap<>();
                    variables.forEach(v -> copy.put(v, net.sd().getVariable(v).getArr().dup()));
                    perEpoch.add(copy);
                });
        assertTrue(result.bestEpoch() < result.epochsRun(), "the case restores an earlier epoch: best " + result.bestEpoch()
                + " of " + result.epochsRun());
        for (String v : variables) {
            assertEquals(perEpoch.get(result.bestEpoch() - 1).get(v), net.sd().getVariable(v).getArr(), v + " is the best epoch's");
        }
    }

    @Test
    void meansOverChunksAreTheWholeSplitsMeans() {
        // 100 validation rows in chunks of 7 (the last one 2 rows): weighted by size, the chunks' means are the mean over all rows
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 500, 100, 1L));
        Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16, 8), null, null, null),
                new NetworkBuilder.InputShape(1, 28, 28), 10, 3);
        TrialSpec trial = TrialSpec.of(Methods.method("association"), 3).temperature(4.0).alpha(0.5).weights(0.8, 0.2).build();
        DistillationObjective obj = DistillationObjective.build(net, trial, 10, List.of(new long[]{12}, new long[]{6}));
        int n = data.validation().size();
        assertEquals(100, n);
        java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> all = new java.util.HashMap<>();
        all.put(net.input().name(), data.validation().features());
        List<org.nd4j.linalg.api.ndarray.INDArray> inputs = new java.util.ArrayList<>();
        for (org.kdharness.distill.ObjectiveInput in : obj.inputs()) {
            org.nd4j.linalg.api.ndarray.INDArray a = in.kind() == org.kdharness.distill.ObjectiveInput.Kind.TEACHER_LAYER
                    ? org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, in.teacherLayer() == 1 ? 12 : 6)
                    : org.kdharness.distill.SoftTargets.soften(data.validation().oneHot().mul(2), 4.0);
            inputs.add(a);
            all.put(in.placeholder(), a);
        }
        java.util.Map<String, Double> chunked = Inference.means(net, obj, data.validation().features(), inputs, obj.validationMetrics(), 7);
        assertEquals(obj.validationMetrics(), List.copyOf(chunked.keySet()));
        for (String name : obj.validationMetrics()) {
            String v = obj.metricVariables().get(name);
            assertEquals(net.sd().output(all, v).get(v).getDouble(0), chunked.get(name), 1e-6, name);
        }
    }

    @Test
    void augmentedBatchesAreComputedAsTheyAreDrawnOnBothEngines() {
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 300, 100, 1L));
        for (Trainer.Engine engine : Trainer.Engine.values()) {
            Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(16), null, null, null),
                    new NetworkBuilder.InputShape(1, 28, 28), 10, 3);
            DistillationObjective obj = DistillationObjective.build(net, new TrialSpec(Methods.method("baseline"), null, null, null, null,
                    null, null, 3), 10, java.util.List.of());
            java.util.Map<Integer, List<Integer>> drawn = new java.util.TreeMap<>();
            org.nd4j.linalg.api.ndarray.INDArray[] last = new org.nd4j.linalg.api.ndarray.INDArray[1];
            org.nd4j.linalg.api.ndarray.INDArray oneHot = data.train().oneHot();
            EpochData perEpoch = new EpochData() {
                @Override
                public org.nd4j.linalg.api.ndarray.INDArray features(int epoch, int[] rows) {
                    java.util.Arrays.stream(rows).forEach(r -> drawn.computeIfAbsent(epoch, k -> new java.util.ArrayList<>()).add(r));
                    last[0] = org.kdharness.data.Augmentation.standard(data.train().features(), rows, 1, 28, 28, 3, epoch);
                    return last[0];
                }

                @Override
                public List<org.nd4j.linalg.api.ndarray.INDArray> inputs(org.nd4j.linalg.api.ndarray.INDArray x, int[] rows) {
                    assertTrue(x == last[0], "inputs are computed on the batch's own images");
                    assertEquals(rows.length, x.size(0));
                    return List.of(org.nd4j.linalg.factory.Nd4j.pullRows(oneHot, 1, rows));
                }

                @Override
                public List<org.nd4j.linalg.api.ndarray.INDArray> unaugmented(int[] rows) {
                    return List.of(org.nd4j.linalg.factory.Nd4j.pullRows(oneHot, 1, rows));
                }
            };
            Trainer.Result r = new Trainer(engine).fit(net, new TrainingSpec(3, 50, 0.05, "sgd", 0.0, 0L, 0), 3, data.train(), obj,
                    null, data.validation(), null, perEpoch);
            assertEquals(switch (engine) {
                case AUTO, LAYERS -> "layers";
                case GRAPH -> "graph";
            }, r.engine(), engine + " took its path");
            for (int e = 1; e <= 3; e++) {
                int[] order = org.kdharness.data.DatasetLoader.shuffled(data.train().size(), 3 * 1_000_003L + e);
                assertEquals(java.util.Arrays.stream(order).boxed().toList(), drawn.get(e), engine + " epoch " + e
                        + ": every example drawn once, in the epoch's order, batch by batch");
            }
            assertTrue(r.epochs().get(2).get("val_accuracy") > 0.18, engine + " better than chance (0.1): " + r.epochs().get(2).get("val_accuracy"));
        }
    }
}
