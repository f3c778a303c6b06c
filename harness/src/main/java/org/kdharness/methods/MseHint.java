package org.kdharness.methods;

import org.kdharness.distill.LayerDistance;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** {@code mse}: mean over examples and units of {@code (p - t)^2} (FitNets). */
public final class MseHint implements LayerDistance {

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public Family family() {
        return Family.HINT;
    }

    @Override
    public SDVariable build(SameDiff sd, SDVariable student, SDVariable teacher) {
        return sd.math.squaredDifference(student, teacher).mean();
    }

    /** {@code 2 (p - t) / (n d)}. */
    @Override
    public HandGradient hand() {
        return (p, t, scale, grad) -> grad.addi(p.sub(t).muli(2.0 * scale / p.length()));
    }

}
