package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code rkd_angle}, RKD's angle loss (Park et al., 2019): for every triplet of the batch,
 * {@code A_abc = e_ab . e_ac} with {@code e_ab = (x_b - x_a) / |x_b - x_a|} (0 when b = a);
 * {@code d = mean over the n^3 triplets of Huber(A_s - A_t)}, threshold 1 (smooth L1), as
 * RepDistiller's {@code RKDLoss} angle term. Distances are
 * {@code sqrt(max(|x_a|^2 + |x_b|^2 - 2 x_a.x_b, 0) + 1e-8)}.
 *
 * <p>Why through the Gram matrix: {@code (x_b - x_a).(x_c - x_a) = G_bc - G_ab - G_ac + G_aa},
 * so neither the graph nor the hand gradient forms the {@code [n, n, d]} difference
 * tensor; memory is {@code n^3} scalars per batch (2M at batch 128).
 */
public final class RkdAngle implements LayerDistance {

    @Override
    public String name() {
        return "rkd_angle";
    }

    @Override
    public Family family() {
        return Family.RELATION;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        return RkdDistance.huber(sd, angles(sd, student).sub(angles(sd, teacher))).mean();
    }

    /** {@code [n, n, n]}: entry (a, b, c) is {@code e_ab . e_ac}. */
    private static SDVariable angles(SameDiff sd, SDVariable x) {
        SDVariable g = sd.mmul(x, x, false, true, false);
        SDVariable sqn = x.mul(x).sum(true, 1); // [n, 1]
        SDVariable offDiagonal = RkdDistance.offDiagonal(sd, g);
        SDVariable sq = RkdDistance.squaredDistances(sd, sqn, g, offDiagonal);
        SDVariable inverse = offDiagonal.mul(sd.math.sqrt(sq.add(RkdDistance.EPS)).rdiv(1.0)); // u_ab
        SDVariable dots = sd.expandDims(g, 0).sub(sd.expandDims(g, 2)).sub(sd.expandDims(g, 1))
                .add(sd.expandDims(sqn, 2));
        return dots.mul(sd.expandDims(inverse, 2)).mul(sd.expandDims(inverse, 1));
    }

    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            Gram gs = new Gram(s), gt = new Gram(t);
            int n = gs.n;
            double[][] us = inverseDistances(gs), ut = inverseDistances(gt);
            double n3 = (double) n * n * n;
            double[][] dG = new double[n][n], du = new double[n][n];
            double[] ns = new double[n], nt = new double[n];
            for (int a = 0; a < n; a++) {
                double[] gsa = gs.g[a], gta = gt.g[a], usa = us[a], uta = ut[a], dGa = dG[a], dua = du[a];
                for (int b = 0; b < n; b++) {
                    if (b == a) {
                        continue;
                    }
                    double[] gsb = gs.g[b], gtb = gt.g[b], dGb = dG[b];
                    double baseS = gsa[a] - gsa[b], baseT = gta[a] - gta[b];
                    double rowW = 0, rowU = 0;
                    for (int c = 0; c < n; c++) {
                        ns[c] = gsb[c] - gsa[c] + baseS;
                        nt[c] = gtb[c] - gta[c] + baseT;
                    }
                    for (int c = 0; c < n; c++) {
                        if (c == a) {
                            continue;
                        }
                        double as = ns[c] * usa[b] * usa[c], at = nt[c] * uta[b] * uta[c];
                        double g = Gram.huberSlope(as - at) / n3;
                        double w = g * usa[b] * usa[c];
                        dGb[c] += w;       // G_bc
                        dGa[c] -= w;       // G_ac
                        rowW += w;         // G_aa and G_ab
                        rowU += g * ns[c] * usa[c];
                        dua[c] += g * ns[c] * usa[b];
                    }
                    dGa[b] -= rowW;
                    dGa[a] += rowW;
                    dua[b] += rowU;
                }
            }
            // u_ab = 1/D_ab, D_ab = sqrt(relu(sq_ab) + eps), sq_ab = G_aa + G_bb - G_ab - G_ba
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    if (a == b || gs.squaredDistance(a, b) == 0) {
                        continue;
                    }
                    double u = us[a][b];
                    double dsq = -du[a][b] * u * u * u / 2; // du * dU/dD * dD/dsq = du * (-1/D^2) * 1/(2D)
                    dG[a][a] += dsq;
                    dG[b][b] += dsq;
                    dG[a][b] -= dsq;
                    dG[b][a] -= dsq;
                }
            }
            Gram.backward(dG, s, scale, grad);
        };
    }

    private static double[][] inverseDistances(Gram g) {
        double[][] u = new double[g.n][g.n];
        for (int a = 0; a < g.n; a++) {
            for (int b = 0; b < g.n; b++) {
                u[a][b] = a == b ? 0.0 : 1.0 / Math.sqrt(g.squaredDistance(a, b) + RkdDistance.EPS);
            }
        }
        return u;
    }
}
