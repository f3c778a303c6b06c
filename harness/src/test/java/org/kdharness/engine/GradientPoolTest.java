package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A taken array is never handed out again until it is given back or the pass ends; given back, it is reused. */
class GradientPoolTest {

    @Test
    void takenArraysAreDistinctUntilGivenBack() {
        GradientPool pool = new GradientPool();
        INDArray a = pool.take(DataType.FLOAT, 4, 3);
        INDArray b = pool.take(DataType.FLOAT, 4, 3);
        assertNotSame(a, b);
        assertNotSame(a, pool.take(DataType.FLOAT, 3, 4), "another shape, another array");
        assertNotSame(a, pool.take(DataType.DOUBLE, 4, 3), "another type, another array");
        pool.giveBack(a);
        pool.giveBack(a.reshape(12)); // a view, not one of the pool's arrays: left alone
        INDArray c = pool.take(DataType.FLOAT, 4, 3);
        assertSame(a, c, "given back, reused");
        INDArray d = pool.take(DataType.FLOAT, 4, 3);
        assertNotSame(a, d);
        assertNotSame(b, d, "b is still taken");
        pool.reset();
        INDArray e = pool.take(DataType.FLOAT, 4, 3), f = pool.take(DataType.FLOAT, 4, 3), g = pool.take(DataType.FLOAT, 4, 3);
        assertSame(3L, java.util.stream.Stream.of(e, f, g).filter(x -> x == a || x == b || x == d).count(),
                "after a reset every array is free again, and none is allocated anew");
    }
}
