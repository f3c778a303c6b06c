package org.kdharness.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
