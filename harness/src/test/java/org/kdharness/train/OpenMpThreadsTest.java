package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.kdharness.config.DatasetSpec;
import org.kdharness.config.ModelSpec;
import org.kdharness.config.TrainingSpec;
import org.kdharness.data.DataSplits;
import org.kdharness.data.DatasetLoader;
import org.kdharness.data.TestPaths;
import org.kdharness.distill.DistillationObjective;
import org.kdharness.distill.TrialSpec;
import org.kdharness.methods.DistillationRegistry;
import org.kdharness.models.Network;
import org.kdharness.models.NetworkBuilder;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The OpenMP setting is the calling thread's, and a teacher trained on more threads is the same teacher. */
class OpenMpThreadsTest {

    @Test
    void theSettingIsPerThread() throws Exception {
        int before = OpenMpThreads.get();
        assumeTrue(before > 0, "an OpenMP runtime to reach");
        assertEquals(before, OpenMpThreads.set(before + 1));
        assertEquals(before + 1, OpenMpThreads.get());
        AtomicInteger other = new AtomicInteger();
        Thread t = new Thread(() -> other.set(OpenMpThreads.get()));
        t.start();
        t.join();
        assertEquals(before, other.get(), "another thread keeps the process default (trials side by side)");
        OpenMpThreads.set(before);
        assertEquals(before, OpenMpThreads.get());
    }

    @Test
    void moreThreadsTrainTheSameWeights() {
        assumeTrue(OpenMpThreads.get() > 0 && Runtime.getRuntime().availableProcessors() > 1, "several cores");
        DataSplits data = new DatasetLoader().load(new DatasetSpec("fashion-mnist",
                TestPaths.repo().resolve("datasets/fashion-mnist-small").toString(), 0.2, 600, 100, 1L));
        INDArray[] one = train(data, 1), all = train(data, Runtime.getRuntime().availableProcessors());
        for (int i = 0; i < one.length; i++) {
            assertTrue(one[i].equals(all[i]), "parameter " + i + " differs by " + one[i].sub(all[i]).amaxNumber());
        }
    }

    private static INDArray[] train(DataSplits data, int threads) {
        int before = OpenMpThreads.set(threads);
        try {
            Network net = NetworkBuilder.build(SameDiff.create(), "", new ModelSpec("mlp", List.of(1200, 1200), null, "relu", 0.0),
                    new NetworkBuilder.InputShape(1, 28, 28), 10, 7);
            DistillationObjective obj = DistillationObjective.build(net, TrialSpec.of(DistillationRegistry.standard().method("baseline"), 7)
                    .build(), 10, java.util.List.of());
            new Trainer().fit(net, new TrainingSpec(2, 128, 1e-3, "adam", 0.0, 7L, 0), 7, data.train(), obj,
                    List.of(data.train().oneHot()), data.validation(), null);
            return net.params().stream().map(p -> net.sd().getVariable(p).getArr().dup()).toArray(INDArray[]::new);
        } finally {
            OpenMpThreads.set(before);
        }
    }
}
