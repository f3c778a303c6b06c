package org.kdharness.methods;

import org.kdharness.data.Rows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch Gram matrices for the relation distances' hand gradients: {@code G = X X^T} by one
 * GEMM, read into doubles ({@code n x n}, small for a batch), and the way back,
 * {@code dX += scale (dG + dG^T) X}, by another.
 *
 * <p>Why through the Gram matrix: every relation distance here is a function of the
 * pairwise inner products, so its gradient needs two GEMMs and {@code O(n^2)} (angle:
 * {@code O(n^3)}) scalar work, never an {@code [n, n, d]} tensor.
 */
final class Gram {

    final int n;
    final double[][] g;

    Gram(INDArray x) {
        n = Math.toIntExact(x.size(0));
        INDArray gram = Nd4j.createUninitialized(DataType.FLOAT, n, n);
        Nd4j.gemm(x, x, gram, false, true, 1.0, 0.0);
        g = rows(gram);
    }

    /** {@code |x_i|^2}, the diagonal. */
    double norm2(int i) {
        return g[i][i];
    }

    /** {@code |x_i - x_j|^2} from the Gram matrix, exactly 0 on the diagonal and never negative. */
    double squaredDistance(int i, int j) {
        return i == j ? 0.0 : Math.max(g[i][i] + g[j][j] - 2 * g[i][j], 0.0);
    }

    /** {@code grad += scale * (dG + dG^T) x}. */
    static void backward(double[][] dG, INDArray x, double scale, INDArray grad) {
        int n = dG.length;
        float[] h = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                h[i * n + j] = (float) (dG[i][j] + dG[j][i]);
            }
        }
        Nd4j.gemm(Nd4j.create(h, new long[]{n, n}, DataType.FLOAT), x, grad, false, false, scale, 1.0);
    }

    /** A host float matrix as doubles. */
    static double[][] rows(INDArray m) {
        int r = Math.toIntExact(m.size(0)), c = Math.toIntExact(m.size(1));
        float[] flat = m.dup('c').data().asFloat();
        double[][] out = new double[r][c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                out[i][j] = flat[i * c + j];
            }
        }
        return out;
    }

    /** The matrix's values in row-major order: one bulk copy when it is a plain 'c'-ordered float array. */
    static float[] floats(INDArray m) {
        if (Rows.host(m)) {
            float[] out = new float[Math.toIntExact(m.length())];
            m.data().asNioFloat().get(0, out);
            return out;
        }
        return m.dup('c').data().asFloat();
    }

    /** {@code m = values} (row-major). */
    static void store(float[] values, INDArray m) {
        if (Rows.host(m)) {
            m.data().asNioFloat().put(0, values);
        } else {
            m.assign(Nd4j.create(values, m.shape(), DataType.FLOAT));
        }
    }

    /** Derivative of Huber with threshold 1 (smooth L1): {@code clamp(x, -1, 1)}. */
    static double huberSlope(double x) {
        return Math.max(-1.0, Math.min(1.0, x));
    }
}
