package org.kdharness.methods;

import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;

import java.util.ArrayList;
import java.util.List;

/**
 * The response loss's weighted terms, shared by the methods that use it:
 * {@code scale * (alpha*CE(y, softmax(z_s)) + (1-alpha)*T^2*KL(softmax(z_t/T) || softmax(z_s/T)))}.
 */
public final class Responses {

    private Responses() {
    }

    static List<WeightedTerm> terms(TrialSpec t, double scale) {
        return terms(t.effectiveAlpha(), t.effectiveTemperature(), scale);
    }

    /** The soft term is left out when alpha = 1 (then the trial needs no teacher outputs). */
    public static List<WeightedTerm> terms(double alpha, double temperature, double scale) {
        List<WeightedTerm> out = new ArrayList<>();
        out.add(new WeightedTerm(alpha * scale, HardCrossEntropy.INSTANCE));
        if (alpha < 1.0) {
            out.add(new WeightedTerm((1.0 - alpha) * temperature * temperature * scale, SoftKl.INSTANCE));
        }
        return out;
    }
}
