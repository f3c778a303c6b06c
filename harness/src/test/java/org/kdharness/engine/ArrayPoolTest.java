package org.kdharness.engine;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A taken array is never handed out again until it is given back or the pass ends; given back, it is reused. */
class ArrayPoolTest {

    @Test
    void takenArraysAreDistinctUntilGivenBack() {
        ArrayPool pool = new ArrayPool();
        INDArray a = pool.take(DataType.FLOAT, 4, 3);
        INDArray b = pool.take(DataType.FLOAT, 4, 3);
        assertNotSame(a, b);
        // an array equal in shape but not one of the pool's, and a view of a: neither frees a
        pool.giveBack(a.dup());
        pool.giveBack(a.reshape(4, 3).transpose().transpose());
        INDArray c = pool.take(DataType.FLOAT, 4, 3);
        assertTrue(c != a && c != b, "a and b are still taken");
        pool.giveBack(a);
        pool.giveBack(a); // twice: once free, it is listed once
        // given back, a is not handed out for another shape or type
        assertNotSame(a, pool.take(DataType.FLOAT, 3, 4));
        assertNotSame(a, pool.take(DataType.DOUBLE, 4, 3));
        assertSame(a, pool.take(DataType.FLOAT, 4, 3), "given back, reused for its shape");
        INDArray d = pool.take(DataType.FLOAT, 4, 3);
        assertTrue(d != a && d != b && d != c, "given back once, handed out once");
        pool.reset();
        INDArray e = pool.take(DataType.FLOAT, 4, 3), f = pool.take(DataType.FLOAT, 4, 3), g = pool.take(DataType.FLOAT, 4, 3),
                h = pool.take(DataType.FLOAT, 4, 3);
        assertEquals(4, Set.of(System.identityHashCode(e), System.identityHashCode(f), System.identityHashCode(g),
                System.identityHashCode(h)).size(), "after a reset the four arrays are free again, each handed out once");
        for (INDArray x : new INDArray[]{e, f, g, h}) {
            assertTrue(x == a || x == b || x == c || x == d, "none allocated anew");
        }
        INDArray fifth = pool.take(DataType.FLOAT, 4, 3);
        assertTrue(fifth != a && fifth != b && fifth != c && fifth != d, "a fifth is new");
        assertEquals(7, pool.allocated(), "five arrays of that shape, one of each other shape and type");
    }

    /** A block's inference tail: each array given back once, the kept input (or a view of it) never. */
    @Test
    void giveBackExceptSkipsTheKeptArrayAndRepeats() {
        ArrayPool pool = new ArrayPool();
        INDArray x = pool.take(DataType.FLOAT, 2, 2), y = pool.take(DataType.FLOAT, 2, 2), s = pool.take(DataType.FLOAT, 2, 2);
        pool.giveBackExcept(x, y, y, x.reshape(4), s);
        INDArray a = pool.take(DataType.FLOAT, 2, 2), b = pool.take(DataType.FLOAT, 2, 2), c = pool.take(DataType.FLOAT, 2, 2);
        assertEquals(Set.of(System.identityHashCode(y), System.identityHashCode(s)),
                Set.of(System.identityHashCode(a), System.identityHashCode(b)), "y and s free again, once each");
        assertTrue(c != x && c != y && c != s, "x still taken: a third array is new");
    }

    /** Released, every array (taken or free) is freed at once and the next take allocates anew. */
    @Test
    void releaseFreesEveryArray() {
        ArrayPool pool = new ArrayPool();
        INDArray taken = pool.take(DataType.FLOAT, 4, 3);
        INDArray free = pool.take(DataType.FLOAT, 4, 3);
        pool.giveBack(free);
        pool.release();
        assertTrue(taken.wasClosed() && free.wasClosed(), "both freed");
        INDArray next = pool.take(DataType.FLOAT, 4, 3);
        assertTrue(next != taken && next != free && !next.wasClosed(), "a new array after the release");
        assertEquals(3, pool.allocated());
    }
}
