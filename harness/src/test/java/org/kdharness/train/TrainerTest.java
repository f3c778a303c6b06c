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
        Trainer.Result learning = train(0.05, 0);
        assertEquals(10, learning.epochsRun(), "no early stopping without patience");
        assertTrue(learning.epochs().get(9).get("val_accuracy") > learning.epochs().get(0).get("val_accuracy"));
    }
}
