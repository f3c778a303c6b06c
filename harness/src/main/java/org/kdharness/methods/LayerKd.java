package org.kdharness.methods;

import org.kdharness.distill.Axis;
import org.kdharness.distill.DistillationMethod;
import org.kdharness.distill.LayerDistance;
import org.kdharness.distill.TrialSpec;
import org.kdharness.distill.WeightedTerm;

import java.util.List;
import java.util.Set;

/**
 * A layer loss over a mapping plus response distillation:
 * {@code w1 * sum_m w_m d_m + w2 * L_response}. Registered twice: {@code feature}
 * (FitNets-style hints, {@code d_m = d(proj_m(h_s), h_t)}) and {@code relation}
 * (sample-to-sample structure, {@code d_m = d_rel(h_s, h_t)}, no projection).
 *
 * @param name   method name
 * @param family the distances its mappings use
 */
public record LayerKd(String name, LayerDistance.Family family) implements DistillationMethod {

    public static LayerKd feature() {
        return new LayerKd("feature", LayerDistance.Family.HINT);
    }

    public static LayerKd relation() {
        return new LayerKd("relation", LayerDistance.Family.RELATION);
    }

    @Override
    public Set<Axis> axes() {
        return Set.of(Axis.TEMPERATURE, Axis.ALPHA, Axis.MAPPING, Axis.W_FEATURE, Axis.W_RESPONSE);
    }

    @Override
    public List<WeightedTerm> logitTerms(TrialSpec trial) {
        return Responses.terms(trial, trial.effectiveWResponse());
    }

    @Override
    public double layerWeight(TrialSpec trial) {
        return trial.effectiveWFeature();
    }
}
