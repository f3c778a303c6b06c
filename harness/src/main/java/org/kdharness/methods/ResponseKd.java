package org.kdharness.methods;

import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;

import java.util.List;
import java.util.Set;

/** Hinton response distillation: {@code alpha*CE + (1-alpha)*T^2*KL}. */
public final class ResponseKd implements DistillationMethod {

    @Override
    public String name() {
        return "response";
    }

    @Override
    public Set<Axis> axes() {
        return Set.of(Axis.TEMPERATURE, Axis.ALPHA);
    }

    @Override
    public List<WeightedTerm> logitTerms(TrialSpec trial) {
        return Responses.terms(trial, 1.0);
    }
}
