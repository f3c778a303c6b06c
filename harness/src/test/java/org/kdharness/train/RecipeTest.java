package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.LrSchedule;
import org.kdharness.config.TrainingSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The standard recipe: schedules at known epochs, and PyTorch's SGD-with-momentum recurrence. */
class RecipeTest {

    @Test
    void crdStepScheduleDecaysFromThe151stEpoch() {
        // CRD: x0.1 at 150, 180, 210 of 240 (epochs counted from 1 in the paper; 0-based here)
        LrSchedule step = new LrSchedule("step", List.of(150, 180, 210), null, null);
        assertEquals(1.0, step.factor(149, 240));
        assertEquals(0.1, step.factor(150, 240), 1e-12);
        assertEquals(0.1, step.factor(179, 240), 1e-12);
        assertEquals(0.01, step.factor(180, 240), 1e-12);
        assertEquals(0.001, step.factor(239, 240), 1e-12);
    }

    @Test
    void cosineAndWarmup() {
        LrSchedule cosine = new LrSchedule("cosine", null, null, null);
        assertEquals(1.0, cosine.factor(0, 240), 1e-12);
        assertEquals(0.5, cosine.factor(120, 240), 1e-12);
        assertEquals((1 + Math.cos(Math.PI * 239 / 240)) / 2, cosine.factor(239, 240), 1e-15);
        LrSchedule warm = new LrSchedule(null, null, null, 5);
        assertEquals(0.2, warm.factor(0, 10), 1e-12);
        assertEquals(0.8, warm.factor(3, 10), 1e-12);
        assertEquals(1.0, warm.factor(4, 10), 1e-12);
        assertEquals(1.0, warm.factor(9, 10), 1e-12);
    }

    @Test
    void theOptimiserReadsTheScheduledRate() {
        TrainingSpec spec = new TrainingSpec(240, 64, 0.05, "sgd", 5e-4, 0L, 0, 0.9, new LrSchedule("step", List.of(150, 180, 210), 0.1, null));
        IUpdater u = Trainer.updater(spec);
        assertTrue(u instanceof MomentumSgd m && m.momentum() == 0.9, "sgd with momentum is PyTorch's SGD");
        assertEquals(0.05, u.getLearningRate(0, 0), 1e-12);
        assertEquals(0.005, u.getLearningRate(0, 150), 1e-12);
        assertEquals(0.00005, u.getLearningRate(0, 230), 1e-12);
        assertEquals(0.9, ((org.nd4j.linalg.learning.config.Nesterovs) Trainer.updater(
                new TrainingSpec(2, 64, 0.1, "nesterovs", 0.0, 0L, 0))).getMomentum(), "nesterovs keeps its default");
        assertTrue(Trainer.updater(new TrainingSpec(2, 64, 0.1, "sgd", 0.0, 0L, 0)).getClass()
                == org.nd4j.linalg.learning.config.Sgd.class, "plain sgd without momentum is unchanged");
    }

    @Test
    void defaultsWrittenOutAreDefaultsLeftOut() {
        // the same training, the same canonical JSON, so the same teacher keys and trial ids
        String plain = org.kdharness.config.ConfigHash.canonicalJson(new TrainingSpec(5, 64, 0.1, "nesterovs", 0.0, 0L, 0));
        assertEquals(plain, org.kdharness.config.ConfigHash.canonicalJson(new TrainingSpec(5, 64, 0.1, "nesterovs", 0.0, 0L, 0, 0.9,
                new LrSchedule("constant", null, 0.1, 0))));
        assertEquals(org.kdharness.config.ConfigHash.canonicalJson(new LrSchedule("step", List.of(3), null, null)),
                org.kdharness.config.ConfigHash.canonicalJson(new LrSchedule("step", List.of(3), 0.1, 0)));
        assertTrue(!plain.contains("momentum") && !plain.contains("schedule"), plain);
        // BatchNorm's default statistics (PyTorch's running average) written out are the unset setting; precise is not
        assertEquals(plain, org.kdharness.config.ConfigHash.canonicalJson(new TrainingSpec(5, 64, 0.1, "nesterovs", 0.0, 0L, 0, null,
                null, "Running")));
        String precise = org.kdharness.config.ConfigHash.canonicalJson(new TrainingSpec(5, 64, 0.1, "nesterovs", 0.0, 0L, 0, null, null,
                "precise"));
        assertTrue(precise.contains("\"batch_norm\":\"precise\"") && !plain.contains("batch_norm"), precise);
        assertTrue(new TrainingSpec(5, 64, 0.1, "adam", 0.0, 0L, 0, null, null, "precise").preciseBatchNorm());
        assertTrue(!TrainingSpec.defaults().preciseBatchNorm());
    }

    @Test
    void momentumFollowsPyTorchsRecurrence() {
        // torch.optim.SGD(lr=0.1, momentum=0.9): v1 = g, v2 = 1.9 g, v3 = 2.71 g; p3 = p0 - 0.1 (1 + 1.9 + 2.71) g
        MomentumSgd config = new MomentumSgd(0.1, null, 0.9);
        INDArray state = Nd4j.createUninitialized(DataType.FLOAT, 1, 2);
        GradientUpdater u = config.instantiate(state, true);
        INDArray p = Nd4j.createFromArray(1f, 2f).reshape(1, 2);
        for (int step = 0; step < 3; step++) {
            INDArray g = Nd4j.createFromArray(0.5f, -1f).reshape(1, 2);
            u.applyUpdater(g, step, 0);
            p.subi(g);
        }
        assertArrayEquals(new float[]{1f - 0.561f * 0.5f, 2f + 0.561f}, p.data().asFloat(), 1e-5f);
    }
}
