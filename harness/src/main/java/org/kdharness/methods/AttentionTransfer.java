package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code attention} (attention transfer, Zagoruyko &amp; Komodakis 2017; conv maps only, no
 * projection): mean over examples of {@code |a_s - a_t|^2} where {@code a = vec(sum_c F_c^2)}
 * normalised to unit L2 norm ({@code sqrt(|a|^2 + 1e-8)}). Its hand gradient reads the maps
 * themselves ({@code [n, c, h, w]}, channels may differ between the two sides).
 */
public final class AttentionTransfer implements LayerDistance {

    @Override
    public String name() {
        return "attention";
    }

    @Override
    public Family family() {
        return Family.HINT;
    }

    @Override
    public boolean mapsOnly() {
        return true;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        return sd.math.squaredDifference(attention(sd, student), attention(sd, teacher)).sum(1, 2).mean();
    }

    /**
     * With {@code q = a·u}, {@code u = (|a|² + ε)^(-1/2)} and {@code g = dL/dq_s = 2·scale·(q_s - q_t)/n}:
     * {@code dL/da = u·g - u³·(a·g)·a} and {@code dL/dF_c = 2·F_c·dL/da}. Per example in double, the maps
     * read once as floats.
     */
    @Override
    public HandGradient hand() {
        return (s, t, scale, grad) -> {
            int n = Math.toIntExact(s.size(0)), cs = Math.toIntExact(s.size(1)), ct = Math.toIntExact(t.size(1));
            int area = Math.toIntExact(s.length() / ((long) n * cs));
            float[] ss = Gram.floats(s), ts = Gram.floats(t), g = Gram.floats(grad);
            double[] as = new double[area], at = new double[area], da = new double[area];
            for (int i = 0; i < n; i++) {
                double us = attention(ss, i * cs * area, cs, area, as), ut = attention(ts, i * ct * area, ct, area, at);
                double ag = 0;
                for (int p = 0; p < area; p++) {
                    da[p] = 2 * scale / n * (as[p] * us - at[p] * ut);
                    ag += as[p] * da[p];
                }
                for (int p = 0; p < area; p++) {
                    da[p] = 2 * (us * da[p] - us * us * us * ag * as[p]);
                }
                for (int c = 0, k = i * cs * area; c < cs; c++) {
                    for (int p = 0; p < area; p++, k++) {
                        g[k] += (float) (ss[k] * da[p]);
                    }
                }
            }
            Gram.store(g, grad);
        };
    }

    /** {@code a = Σ_c F_c²} of the example whose map starts at {@code from}, into {@code a}; returns {@code (|a|² + ε)^(-1/2)}. */
    private static double attention(float[] maps, int from, int channels, int area, double[] a) {
        java.util.Arrays.fill(a, 0);
        for (int c = 0, k = from; c < channels; c++) {
            for (int p = 0; p < area; p++, k++) {
                a[p] += (double) maps[k] * maps[k];
            }
        }
        double norm = 0;
        for (double v : a) {
            norm += v * v;
        }
        return 1 / Math.sqrt(norm + CosineHint.EPS);
    }

    private static SDVariable attention(SameDiff sd, SDVariable map) {
        SDVariable a = map.mul(map).sum(1); // [n, h, w]
        return a.mul(sd.math.sqrt(a.mul(a).sum(true, 1, 2).add(CosineHint.EPS)).rdiv(1.0));
    }
}
