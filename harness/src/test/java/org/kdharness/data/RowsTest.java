package org.kdharness.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bulk row copy gives ND4J's own element values for plain, 'f'-ordered and view arrays. */
class RowsTest {

    @Test
    void everyLayoutGivesTheSameRows() {
        INDArray a = Nd4j.create(new float[][]{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}});
        double[][] expected = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};
        assertArrayEquals(expected, Rows.of(a));
        assertArrayEquals(expected, Rows.of(a.dup('f')));
        double[][] view = Rows.of(a.get(NDArrayIndex.interval(1, 3), NDArrayIndex.interval(1, 3)));
        assertArrayEquals(new double[][]{{5, 6}, {8, 9}}, view);
        INDArray random = Nd4j.randn(DataType.FLOAT, 7, 5);
        assertArrayEquals(random.toDoubleMatrix(), Rows.of(random));
        assertArrayEquals(random.transpose().toDoubleMatrix(), Rows.of(random.transpose()));
        assertEquals(7, Rows.of(random).length);
        assertThrows(IllegalArgumentException.class, () -> Rows.of(Nd4j.zeros(DataType.FLOAT, 3)));
    }

    @Test
    void gatherCopiesTheNamedRowsInEveryLayout() {
        INDArray source = Nd4j.randn(DataType.FLOAT, 50, 7);
        int[] rows = {49, 0, 17, 17, 3};
        INDArray expected = Nd4j.pullRows(source, 1, rows);
        assertTrue(Rows.host(source));
        assertFalse(Rows.host(source.dup('f')));
        assertFalse(Rows.host(source.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all())));
        for (char order : new char[]{'c', 'f'}) {
            INDArray dest = Nd4j.create(DataType.FLOAT, new long[]{5, 7}, order);
            Rows.gather(source, dest, rows);
            assertEquals(expected, dest.dup('c'), "gather into " + order);
            assertEquals(source.getFloat(17, 6), dest.getFloat(3, 6));
            assertEquals(source.getFloat(49, 0), dest.getFloat(0, 0));
        }
        assertThrows(IllegalArgumentException.class, () -> Rows.gather(source, Nd4j.create(DataType.FLOAT, 4, 7), rows));
    }
}
