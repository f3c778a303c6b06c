package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * {@code attention} (attention transfer, Zagoruyko &amp; Komodakis 2017; conv maps only, no
 * projection): mean over examples of {@code |a_s - a_t|^2} where {@code a = vec(sum_c F_c^2)}
 * normalised to unit L2 norm ({@code sqrt(|a|^2 + 1e-8)}). No hand gradient: trials with it
 * train through the graph.
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

    private static SDVariable attention(SameDiff sd, SDVariable map) {
        SDVariable a = map.mul(map).sum(1); // [n, h, w]
        return a.mul(sd.math.sqrt(a.mul(a).sum(true, 1, 2).add(CosineHint.EPS)).rdiv(1.0));
    }
}
