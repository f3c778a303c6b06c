package org.kdharness.advise;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear centered kernel alignment (Kornblith et al., 2019) between two representations of
 * the same n examples:
 * {@code CKA(X, Y) = <K_c, L_c>_F / (||K_c||_F ||L_c||_F)} with {@code K = X X^T},
 * {@code L = Y Y^T} computed from column-centred X and Y.
 *
 * <p>Why linear CKA: it compares layers of different widths (and feature maps, flattened)
 * without training anything, is invariant to orthogonal transforms and isotropic scaling of
 * either side, and is 1 for identical representations. The Gram form costs
 * {@code O(n^2 p)} and n x n memory, so wide conv layers are fine for n of a few thousand.
 */
public final class Cka {

    private Cka() {
    }

    /** Linear CKA of {@code x [n, p]} and {@code y [n, q]}, in double precision. */
    public static double linear(INDArray x, INDArray y) {
        if (x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("CKA needs the same examples on both sides: " + x.size(0) + " vs " + y.size(0));
        }
        INDArray k = gram(x), l = gram(y);
        double kl = k.mul(l).sumNumber().doubleValue();
        double kk = k.mul(k).sumNumber().doubleValue();
        double ll = l.mul(l).sumNumber().doubleValue();
        if (kk == 0 || ll == 0) {
            return 0; // a constant representation carries no structure
        }
        return kl / Math.sqrt(kk * ll);
    }

    private static INDArray gram(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE);
        if (d.rank() > 2) {
            d = d.reshape(d.size(0), d.length() / d.size(0));
        }
        INDArray centred = d.subRowVector(d.mean(0));
        return centred.mmul(centred.transpose());
    }
}
