package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java Adam loop reproduces ND4J's Adam updater, step after step, both as update and as fused step. */
class DirectAdamTest {

    @Test
    void matchesNd4jAdamOverManySteps() {
        Adam config = new Adam(3e-3, 0.8, 0.99, 1e-6);
        long[] shape = {37, 11};
        INDArray reference = Nd4j.randn(DataType.FLOAT, shape);
        INDArray viaUpdate = reference.dup();
        INDArray viaStep = reference.dup();
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, config.stateSize(reference.length()));
        GradientUpdater nd4j = config.instantiate(state, true);
        nd4j.setStateViewArray(state, shape, 'c', true);
        HostAdam host = new HostAdam(3e-3);
        host.setBeta1(0.8);
        host.setBeta2(0.99);
        host.setEpsilon(1e-6);
        assertEquals(0, host.stateSize(reference.length()), "moments live on the Java heap");
        GradientUpdater update = host.instantiate((INDArray) null, true);
        update.setStateViewArray(null, shape, 'c', true);
        assertTrue(update instanceof DirectAdam, "CPU backend: the Java loop");
        DirectAdam fused = new DirectAdam(config);
        fused.setStateViewArray(null, shape, 'c', true);
        assertTrue(DirectAdam.supported(reference));
        for (int it = 0; it < 25; it++) {
            // gradients of varying scale and sign, including exact zeros
            INDArray g = Nd4j.randn(DataType.FLOAT, shape).muli(Math.pow(10, (it % 5) - 2));
            g.putScalar(3, 0f);
            INDArray g1 = g.dup(), g2 = g.dup(), g3 = g.dup();
            nd4j.applyUpdater(g1, it, 0);
            reference.subi(g1);
            update.applyUpdater(g2, it, 0);
            viaUpdate.subi(g2);
            fused.step(viaStep, g3, it, 0);
            double scale = g1.amaxNumber().doubleValue();
            assertTrue(g2.sub(g1).amaxNumber().doubleValue() <= 1e-5 * scale, "update differs at iteration " + it);
        }
        assertTrue(viaUpdate.sub(reference).amaxNumber().doubleValue() < 1e-5);
        assertTrue(viaStep.sub(reference).amaxNumber().doubleValue() < 1e-5);
        assertTrue(reference.sub(Nd4j.zeros(DataType.FLOAT, shape)).amaxNumber().doubleValue() > 0.01, "parameters moved");
    }
}
