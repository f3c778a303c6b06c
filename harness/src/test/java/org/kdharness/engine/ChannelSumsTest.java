package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The GEMM per-channel sums equal ND4J's reduction over dimensions (0, 2, 3), which they replace. */
class ChannelSumsTest {

    @Test
    void sumsEqualTheReductionOverBatchAndArea() {
        Nd4j.getRandom().setSeed(11);
        ChannelSums sums = new ChannelSums(new Buffers(DataType.DOUBLE));
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3, 4, 6).addi(2);
        assertSums(x.sum(0, 2, 3), sums.of(x, "a"));
        // a permuted view (not in 'c' order), and a second shape through the same buffers
        INDArray view = Nd4j.randn(DataType.DOUBLE, 4, 6, 3, 5).permute(3, 2, 0, 1);
        assertSums(view.sum(0, 2, 3), sums.of(view, "a"));
        // the first rows: a 'c'-contiguous view at an offset, read in place
        INDArray fewer = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
        assertSums(fewer.sum(0, 2, 3), sums.of(fewer, "a"));
    }

    private static void assertSums(INDArray expected, double[] actual) {
        assertEquals(expected.length(), actual.length);
        for (int c = 0; c < actual.length; c++) {
            assertEquals(expected.getDouble(c), actual[c], 1e-9 * Math.max(1, Math.abs(expected.getDouble(c))), "channel " + c);
        }
    }
}
