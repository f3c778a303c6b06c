package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code pkt}, probabilistic knowledge transfer (Passalis &amp; Tefas, 2018), as
 * RepDistiller's {@code PKT}: rows are L2-normalised ({@code x / (|x| + 1e-7)}, with
 * {@code |x| = sqrt(sum x^2 + 1e-12)}), their cosine similarities mapped to
 * {@code M = (x_n x_n^T + 1) / 2} and each row of M divided by its sum (a conditional
 * distribution over the batch); {@code d = mean over the n^2 entries of
 * P_t log((P_t + 1e-7) / (P_s + 1e-7))}.
 */
public final class Pkt implements LayerDistance {

    private static final double EPS = 1e-7;
    private static final double NORM_EPS = 1e-12;

    @Override
    public String name() {
        return "pkt";
    }

    @Override
    public Family family() {
        return Family.RELATION;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        SDVariable ps = probabilities(sd, student), pt = probabilities(sd, teacher);
        return pt.mul(sd.math.log(pt.add(EPS)).sub(sd.math.log(ps.add(EPS)))).mean();
    }

    private static SDVariable probabilities(SameDiff sd, SDVariable x) {
        SDVariable norm = sd.math.sqrt(x.mul(x).sum(true, 1).add(NORM_EPS));
        SDVariable unit = x.mul(norm.add(EPS).rdiv(1.0));
        SDVariable m = sd.mmul(unit, unit, false, true, false).add(1.0).mul(0.5);
        return m.mul(m.sum(true, 1).rdiv(1.0));
    }

    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            INDArray us = unitRows(s);
            double[][] ms = similarities(us), mt = similarities(unitRows(t));
            int n = ms.length;
            double[] rs = rowSums(ms), rt = rowSums(mt);
            double[][] dC = new double[n][n];
            double n2 = (double) n * n;
            for (int i = 0; i < n; i++) {
                double[] dp = new double[n];
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    double ps = ms[i][j] / rs[i], pt = mt[i][j] / rt[i];
                    dp[j] = -pt / (ps + EPS) / n2;
                    dot += dp[j] * ps;
                }
                for (int j = 0; j < n; j++) {
                    dC[i][j] = 0.5 * (dp[j] - dot) / rs[i];
                }
            }
            // d(unit) = (dC + dC^T) unit, then through unit = x / (nu + eps)
            INDArray dUnit = Nd4j.zeros(DataType.FLOAT, s.shape());
            Gram.backward(dC, us, 1.0, dUnit);
            double[][] xs = Gram.rows(s), du = Gram.rows(dUnit);
            int d = xs[0].length;
            double[][] out = new double[n][d];
            for (int i = 0; i < n; i++) {
                double sum = 0, xdu = 0;
                for (int k = 0; k < d; k++) {
                    sum += xs[i][k] * xs[i][k];
                    xdu += xs[i][k] * du[i][k];
                }
                double nu = Math.sqrt(sum + NORM_EPS);
                double a = 1.0 / (nu + EPS), b = xdu / (nu * (nu + EPS) * (nu + EPS));
                for (int k = 0; k < d; k++) {
                    out[i][k] = scale * (du[i][k] * a - xs[i][k] * b);
                }
            }
            Gram.add(grad, out);
        };
    }

    /** {@code x / (sqrt(sum x^2 + 1e-12) + 1e-7)} per row. */
    private static INDArray unitRows(INDArray x) {
        INDArray norm = Transforms.sqrt(x.mul(x).sum(true, 1).addi(NORM_EPS), false).addi(EPS);
        return x.divColumnVector(norm);
    }

    /** {@code (u u^T + 1) / 2} in doubles. */
    private static double[][] similarities(INDArray u) {
        double[][] m = new Gram(u).g;
        for (double[] row : m) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (row[j] + 1) / 2;
            }
        }
        return m;
    }

    private static double[] rowSums(double[][] m) {
        double[] r = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (double v : m[i]) {
                r[i] += v;
            }
        }
        return r;
    }
}
