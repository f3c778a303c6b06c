package org.kdharness.methods;

import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;

import java.util.List;
import java.util.Set;

/** The student on hard labels only: {@code CE(y, softmax(z_s))}. */
public final class Baseline implements DistillationMethod {

    @Override
    public String name() {
        return "baseline";
    }

    @Override
    public Set<Axis> axes() {
        return Set.of();
    }

    @Override
    public List<WeightedTerm> logitTerms(TrialSpec trial) {
        return List.of(new WeightedTerm(1.0, HardCrossEntropy.INSTANCE));
    }
}
