package org.kdharness.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-d array's rows as Java arrays, through one bulk copy of its buffer.
 *
 * <p>Why: ND4J 1.0.0-M2.1's {@code INDArray.toDoubleMatrix()} copies row by row through
 * the op machinery and took 2-4 s for 54,000 x 10 logits; the final metrics, soft targets
 * and loss probe of every trial convert such matrices.
 */
public final class Rows {

    private Rows() {
    }

    /**
     * Whether every array is a plain, contiguous, zero-offset float array in host memory:
     * what Java loops and bulk copies may read and write through its buffer directly.
     */
    public static boolean host(INDArray... arrays) {
        if (!org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a.dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT || a.offset() != 0 || a.ordering() != 'c'
                    || a.length() != a.data().length() || a.elementWiseStride() != 1) {
                return false;
            }
        }
        return true;
    }

    /** {@code m[i][j] = array[i, j]} for a {@code [n, C]} array of any layout. */
    public static double[][] of(INDArray array) {
        if (array.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + java.util.Arrays.toString(array.shape()));
        }
        int n = Math.toIntExact(array.size(0)), c = Math.toIntExact(array.size(1));
        INDArray plain = array.ordering() == 'c' && array.offset() == 0 && array.length() == array.data().length()
                ? array : array.dup('c');
        float[] flat = plain.data().asFloat();
        double[][] m = new double[n][c];
        for (int i = 0, k = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                m[i][j] = flat[k++];
            }
        }
        return m;
    }

    /**
     * {@code dest[i] = source[rows[i]]} for 2-d arrays: a training batch gathered from its split. A bulk copy per
     * row where both arrays are {@link #host} arrays, else ND4J's {@code pullRows} (other layouts, the GPU).
     *
     * <p>Why not always {@code pullRows}: in ND4J 1.0.0-M2.1 it took 171 us for a 128 x 256 batch, several times its
     * memory traffic, and every training step gathers its inputs, labels and teacher outputs.
     */
    public static void gather(INDArray source, INDArray dest, int[] rows) {
        if (!host(source, dest)) {
            org.nd4j.linalg.factory.Nd4j.pullRows(source, dest, 1, rows);
            return;
        }
        int cols = Math.toIntExact(source.size(1));
        if (dest.size(1) != cols || dest.size(0) != rows.length) {
            throw new IllegalArgumentException("gather of " + rows.length + "x" + cols + " into " + dest.shapeInfoToString());
        }
        java.nio.FloatBuffer src = source.data().asNioFloat(), dst = dest.data().asNioFloat();
        for (int i = 0; i < rows.length; i++) {
            dst.put(i * cols, src, rows[i] * cols, cols);
        }
    }
}
