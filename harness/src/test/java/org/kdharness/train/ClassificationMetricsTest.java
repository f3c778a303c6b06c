package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The per-epoch accuracy shortcut agrees with the full metrics, on a hand case and on random logits. */
class ClassificationMetricsTest {

    @Test
    void accuracyShortcutAgreesWithFullMetrics() {
        INDArray logits = Nd4j.create(new float[][]{{2, 1, 0}, {0, 3, 1}, {1, 0, 0.5f}, {0, 0, 5}});
        int[] labels = {0, 1, 2, 2};
        assertEquals(0.75, ClassificationMetrics.accuracy(logits, labels), 1e-12);
        assertEquals(0.75, ClassificationMetrics.of(logits, labels, null).accuracy(), 1e-12);

        Random r = new Random(3);
        INDArray random = Nd4j.randn(DataType.FLOAT, 500, 10);
        int[] y = r.ints(500, 0, 10).toArray();
        assertEquals(ClassificationMetrics.of(random, y, null).accuracy(), ClassificationMetrics.accuracy(random, y), 1e-12);
    }
}
