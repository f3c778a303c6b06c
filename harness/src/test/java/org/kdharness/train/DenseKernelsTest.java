package org.kdharness.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each host loop against its ND4J fallback: the same call on 'c'-ordered arrays takes the
 * Java loop, on 'f'-ordered copies the ND4J ops; both must agree with a hand computation.
 */
class DenseKernelsTest {

    private static INDArray randn(long rows, long cols, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[Math.toIntExact(rows * cols)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.create(v, new long[]{rows, cols}, DataType.FLOAT);
    }

    private static INDArray zeros(char order, long... shape) {
        return Nd4j.create(DataType.FLOAT, shape, order);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double err = expected.sub(actual.dup('c')).amaxNumber().doubleValue();
        assertTrue(err < 1e-5 * (1 + expected.amaxNumber().doubleValue()), what + ": max error " + err);
    }

    @Test
    void layoutsSelectThePath() {
        INDArray c = randn(3, 4, 1);
        assertTrue(DenseKernels.host(c));
        assertFalse(DenseKernels.host(c.dup('f')));
        assertFalse(DenseKernels.host(c.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3), org.nd4j.linalg.indexing.NDArrayIndex.all())));
    }

    @Test
    void gatherAddSumAndReluBackward() {
        INDArray source = randn(50, 7, 2);
        int[] rows = {49, 0, 17, 17, 3};
        INDArray expected = Nd4j.pullRows(source, 1, rows);
        for (char order : new char[]{'c', 'f'}) {
            INDArray dest = zeros(order, 5, 7);
            DenseKernels.gatherRows(source, dest, rows);
            assertClose(expected, dest, "gather " + order);
            assertEquals(source.getFloat(17, 6), dest.getFloat(3, 6));
        }

        INDArray x = randn(6, 5, 3), row = randn(1, 5, 4);
        INDArray sum = x.addRowVector(row);
        INDArray colSums = x.sum(true, 0);
        INDArray z = randn(6, 5, 5), da = randn(6, 5, 6);
        INDArray relu = da.mul(z.gt(0).castTo(DataType.FLOAT));
        for (char order : new char[]{'c', 'f'}) {
            INDArray xc = x.dup(order);
            DenseKernels.addRowVector(xc, row.dup(order));
            assertClose(sum, xc, "bias add " + order);
            INDArray out = zeros(order, 1, 5);
            DenseKernels.columnSums(x.dup(order), out);
            assertClose(colSums, out, "column sums " + order);
            INDArray dz = zeros(order, 6, 5);
            DenseKernels.reluBackward(z.dup(order), da.dup(order), dz);
            assertClose(relu, dz, "relu backward " + order);
        }
    }
}
