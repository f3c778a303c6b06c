package org.kdharness.distill;

import org.kdharness.data.Rows;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softened teacher distributions {@code softmax(z/T)} and the small numeric helpers that
 * go with them (entropy, KL), computed in double precision.
 *
 * <p>Why: teacher logits are computed once per dataset; each trial only re-softens them
 * at its own temperature, which is cheap.
 */
public final class SoftTargets {

    private SoftTargets() {
    }

    /** Numerically stable {@code softmax(z/T)}. */
    public static double[] softmax(double[] z, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / temperature);
        }
        double[] p = new double[z.length];
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / temperature - max);
            s += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= s;
        }
        return p;
    }

    /** {@code KL(p || q) = sum p log(p/q)}, with 0 log 0 = 0. */
    public static double kl(double[] p, double[] q) {
        double k = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                k += p[i] * (Math.log(p[i]) - Math.log(Math.max(q[i], 1e-300)));
            }
        }
        return k;
    }

    /** Shannon entropy in nats. */
    public static double entropy(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }

    /** Row-wise {@code softmax(logits/T)} of a {@code [n, C]} matrix. */
    public static INDArray soften(INDArray logits, double temperature) {
        double[][] z = Rows.of(logits);
        float[] out = new float[z.length * z[0].length];
        int k = 0;
        for (double[] row : z) {
            for (double v : softmax(row, temperature)) {
                out[k++] = (float) v;
            }
        }
        return Nd4j.create(out, new long[]{z.length, z[0].length}, DataType.FLOAT);
    }

    /** Mean entropy over rows of a {@code [n, C]} matrix of distributions: the gap between soft CE and KL. */
    public static double meanEntropyOfProbabilities(INDArray probabilities) {
        double[][] p = Rows.of(probabilities);
        double h = 0;
        for (double[] row : p) {
            h += entropy(row);
        }
        return h / p.length;
    }
}
