package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code rkd_distance}, RKD's distance loss (Park et al., 2019): pairwise Euclidean
 * distances {@code D_ij = sqrt(|x_i - x_j|^2 + 1e-8)} divided by their mean {@code mu}
 * (over all n^2 pairs, the diagonal being ~0), {@code d = mean Huber(D_s/mu_s - D_t/mu_t)}
 * with the Huber threshold at 1 (smooth L1).
 *
 * <p>Why from the Gram matrix: the explicit differences are an {@code [n, n, d]} tensor
 * (26 GB for 2,048 conv-map rows of 1,568 values; 20x PyTorch's epoch time for a 1,200-wide
 * teacher layer at batch 128); {@code |x_i|^2 + |x_j|^2 - 2 x_i.x_j} needs {@code n^2}.
 */
public final class RkdDistance implements LayerDistance {

    static final double EPS = 1e-8;

    @Override
    public String name() {
        return "rkd_distance";
    }

    @Override
    public Family family() {
        return Family.RELATION;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        return huber(sd, normalisedDistances(sd, student).sub(normalisedDistances(sd, teacher))).mean();
    }

    /** Pairwise distances over their mean (the diagonal is {@code sqrt(1e-8)}, as the definition gives). */
    static SDVariable normalisedDistances(SameDiff sd, SDVariable x) {
        SDVariable g = sd.mmul(x, x, false, true, false);
        SDVariable d = sd.math.sqrt(squaredDistances(sd, x.mul(x).sum(true, 1), g, offDiagonal(sd, g)).add(EPS));
        // d * (1/mean): in ND4J 1.0.0-M2.1 the gradient of dividing by a one-element variable is wrong
        return d.mul(d.mean().rdiv(1.0));
    }

    /**
     * {@code |x_i - x_j|^2} from the Gram matrix {@code g = x x^T} and the squared norms {@code sqn} ({@code [n, 1]}): {@code n^2} values, never
     * the {@code [n, n, d]} differences. Negative float cancellation is clipped to 0, and the
     * diagonal is multiplied by an exact 0, so its value is 0 and no gradient flows through
     * it (where the square root is steepest).
     */
    static SDVariable squaredDistances(SameDiff sd, SDVariable sqn, SDVariable g, SDVariable offDiagonal) {
        return sd.nn.relu(sqn.add(sd.transpose(sqn)).sub(g.mul(2.0)), 0.0).mul(offDiagonal);
    }

    /** {@code 1 - I}, shaped like the {@code [n, n]} matrix {@code g} (n is only known when fed). */
    static SDVariable offDiagonal(SameDiff sd, SDVariable g) {
        return sd.math.diag(sd.math.diagPart(sd.onesLike(g))).rsub(1.0);
    }

    /** Elementwise Huber with threshold 1: {@code 0.5 min(|x|,1)^2 + max(|x|-1, 0)}. */
    static SDVariable huber(SameDiff sd, SDVariable x) {
        SDVariable a = sd.math.abs(x);
        SDVariable inner = sd.scalarMin(a, 1.0);
        return inner.mul(inner).mul(0.5).add(sd.scalarMax(a.sub(1.0), 0.0));
    }

    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            Gram gs = new Gram(s), gt = new Gram(t);
            int n = gs.n;
            double[][] ds = distances(gs), dt = distances(gt);
            double ms = mean(ds), mt = mean(dt), n2 = (double) n * n;
            double[][] dDn = new double[n][n];
            double weighted = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    dDn[i][j] = Gram.huberSlope(ds[i][j] / ms - dt[i][j] / mt) / n2;
                    weighted += dDn[i][j] * ds[i][j];
                }
            }
            // D_ij = sqrt(sq_ij + eps), sq_ij = G_ii + G_jj - 2 G_ij (the diagonal carries no gradient)
            double[][] dG = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i == j || gs.squaredDistance(i, j) == 0) {
                        continue;
                    }
                    double dD = dDn[i][j] / ms - weighted / (n2 * ms * ms);
                    double dsq = dD / (2 * ds[i][j]);
                    dG[i][i] += dsq;
                    dG[j][j] += dsq;
                    dG[i][j] -= dsq;
                    dG[j][i] -= dsq;
                }
            }
            Gram.backward(dG, s, scale, grad);
        };
    }

    static double[][] distances(Gram g) {
        double[][] d = new double[g.n][g.n];
        for (int i = 0; i < g.n; i++) {
            for (int j = 0; j < g.n; j++) {
                d[i][j] = Math.sqrt(g.squaredDistance(i, j) + EPS);
            }
        }
        return d;
    }

    static double mean(double[][] d) {
        double sum = 0;
        for (double[] row : d) {
            for (double v : row) {
                sum += v;
            }
        }
        return sum / ((double) d.length * d.length);
    }
}
