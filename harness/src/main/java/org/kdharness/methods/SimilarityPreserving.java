package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code sp}, similarity-preserving KD (Tung &amp; Mori, 2019): {@code G = F F^T} with each
 * row L2-normalised ({@code G_ij / sqrt(sum_k G_ik^2 + 1e-8)});
 * {@code d = mean over the n^2 entries of (G_s - G_t)^2}.
 */
public final class SimilarityPreserving implements LayerDistance {

    private static final double EPS = 1e-8;

    @Override
    public String name() {
        return "sp";
    }

    @Override
    public Family family() {
        return Family.RELATION;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        return sd.math.squaredDifference(similarity(sd, student), similarity(sd, teacher)).mean();
    }

    private static SDVariable similarity(SameDiff sd, SDVariable f) {
        SDVariable g = sd.mmul(f, f, false, true, false);
        return g.mul(sd.math.sqrt(g.mul(g).sum(true, 1).add(EPS)).rdiv(1.0));
    }

    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            Gram gs = new Gram(s), gt = new Gram(t);
            int n = gs.n;
            double[] rs = rowNorms(gs.g), rt = rowNorms(gt.g);
            double[][] dG = new double[n][n];
            for (int i = 0; i < n; i++) {
                double[] dq = new double[n];
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dq[j] = 2 * (gs.g[i][j] / rs[i] - gt.g[i][j] / rt[i]) / ((double) n * n);
                    dot += dq[j] * gs.g[i][j];
                }
                for (int j = 0; j < n; j++) {
                    dG[i][j] = dq[j] / rs[i] - gs.g[i][j] * dot / (rs[i] * rs[i] * rs[i]);
                }
            }
            Gram.backward(dG, s, scale, grad);
        };
    }

    private static double[] rowNorms(double[][] g) {
        double[] r = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            double sum = 0;
            for (double v : g[i]) {
                sum += v * v;
            }
            r[i] = Math.sqrt(sum + EPS);
        }
        return r;
    }
}
