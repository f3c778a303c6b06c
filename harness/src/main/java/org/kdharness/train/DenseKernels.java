package org.kdharness.train;

import org.kdharness.data.Rows;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;

/**
 * The batch gather of a training step (a minibatch's rows copied into the step's buffers) as a Java loop over
 * host memory, falling back to ND4J's {@code pullRows} when the arrays are not plain contiguous float arrays on
 * the CPU backend (so on the GPU).
 *
 * <p>Why: in ND4J 1.0.0-M2.1 {@code pullRows} cost 171 us on a 128x256 batch, several times its memory traffic,
 * and a step gathers the features, labels and teacher outputs. {@code DenseKernelsTest} checks the loop against
 * the op.
 */
final class DenseKernels {

    private DenseKernels() {
    }

    /** Whether every array is a plain, contiguous, zero-offset float array in host memory ({@link Rows#host}). */
    static boolean host(INDArray... arrays) {
        return Rows.host(arrays);
    }

    /** {@code dest[i] = source[rows[i]]} for 2-d arrays. */
    static void gatherRows(INDArray source, INDArray dest, int[] rows) {
        if (!host(source, dest)) {
            Nd4j.pullRows(source, dest, 1, rows);
            return;
        }
        int cols = Math.toIntExact(source.size(1));
        if (dest.size(1) != cols || dest.size(0) != rows.length) {
            throw new IllegalArgumentException("gather of " + rows.length + "x" + cols + " into " + dest.shapeInfoToString());
        }
        FloatBuffer src = source.data().asNioFloat(), dst = dest.data().asNioFloat();
        for (int i = 0; i < rows.length; i++) {
            dst.put(i * cols, src, rows[i] * cols, cols);
        }
    }
}
