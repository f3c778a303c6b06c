package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code cosine}: mean over examples of {@code 1 - p.t / (sqrt(|p|^2 + eps) sqrt(|t|^2 + eps))},
 * eps = 1e-8.
 */
public final class CosineHint implements LayerDistance {

    static final double EPS = 1e-8;

    @Override
    public String name() {
        return "cosine";
    }

    @Override
    public Family family() {
        return Family.HINT;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable p, SDVariable t) {
        SDVariable dot = p.mul(t).sum(true, 1);
        SDVariable np = sd.math.sqrt(p.mul(p).sum(true, 1).add(EPS));
        SDVariable nt = sd.math.sqrt(t.mul(t).sum(true, 1).add(EPS));
        // multiply by the reciprocal: ND4J 1.0.0-M2.1's gradient of a broadcast division is wrong
        return dot.mul(np.mul(nt).rdiv(1.0)).mean().rsub(1.0);
    }

    /** {@code -(1/n) (t / (|p| |t|) - (p.t) p / (|p|^3 |t|))} per row. */
    @Override
    public HandGradient hand() {
        return (p, t, scale, grad) -> {
            double[][] ps = Gram.rows(p), ts = Gram.rows(t);
            int n = ps.length, d = ps[0].length;
            double[][] out = new double[n][d];
            for (int i = 0; i < n; i++) {
                double dot = 0, pp = 0, tt = 0;
                for (int k = 0; k < d; k++) {
                    dot += ps[i][k] * ts[i][k];
                    pp += ps[i][k] * ps[i][k];
                    tt += ts[i][k] * ts[i][k];
                }
                double np = Math.sqrt(pp + EPS), nt = Math.sqrt(tt + EPS);
                for (int k = 0; k < d; k++) {
                    out[i][k] = -scale / n * (ts[i][k] / (np * nt) - dot * ps[i][k] / (np * np * np * nt));
                }
            }
            Gram.add(grad, out);
        };
    }
}
