package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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

    /**
     * All from the Gram matrices: {@code C_ij = G_ij a_i a_j} with
     * {@code a_i = 1 / (sqrt(G_ii + 1e-12) + 1e-7)}, so the way back is {@code dG} (direct,
     * and through {@code a_i} on the diagonal) and one GEMM.
     */
    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            Gram gs = new Gram(s), gt = new Gram(t);
            int n = gs.n;
            double[] as = inverseNorms(gs), at = inverseNorms(gt);
            double[][] ms = similarities(gs, as), mt = similarities(gt, at);
            double n2 = (double) n * n;
            double[][] dG = new double[n][n];
            double[] da = new double[n];
            for (int i = 0; i < n; i++) {
                double rs = rowSum(ms[i]), rt = rowSum(mt[i]);
                double[] dp = new double[n];
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    double ps = ms[i][j] / rs, pt = mt[i][j] / rt;
                    dp[j] = -pt / (ps + EPS) / n2;
                    dot += dp[j] * ps;
                }
                for (int j = 0; j < n; j++) {
                    double dc = 0.5 * (dp[j] - dot) / rs; // through P = M / rowsum and M = (C + 1) / 2
                    dG[i][j] += dc * as[i] * as[j];
                    da[i] += dc * gs.g[i][j] * as[j];
                    da[j] += dc * gs.g[i][j] * as[i];
                }
            }
            for (int i = 0; i < n; i++) {
                double nu = Math.sqrt(gs.norm2(i) + NORM_EPS);
                dG[i][i] += da[i] * (-as[i] * as[i] / (2 * nu));
            }
            Gram.backward(dG, s, scale, grad);
        };
    }

    /** {@code 1 / (sqrt(G_ii + 1e-12) + 1e-7)}. */
    private static double[] inverseNorms(Gram g) {
        double[] a = new double[g.n];
        for (int i = 0; i < g.n; i++) {
            a[i] = 1.0 / (Math.sqrt(g.norm2(i) + NORM_EPS) + EPS);
        }
        return a;
    }

    /** {@code M = (C + 1) / 2} with {@code C_ij = G_ij a_i a_j}. */
    private static double[][] similarities(Gram g, double[] a) {
        double[][] m = new double[g.n][g.n];
        for (int i = 0; i < g.n; i++) {
            for (int j = 0; j < g.n; j++) {
                m[i][j] = (g.g[i][j] * a[i] * a[j] + 1) / 2;
            }
        }
        return m;
    }

    private static double rowSum(double[] row) {
        double r = 0;
        for (double v : row) {
            r += v;
        }
        return r;
    }
}
