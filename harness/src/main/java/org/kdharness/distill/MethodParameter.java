package org.kdharness.distill;

import java.util.List;

/**
 * A numeric sweep axis that belongs to one method (e.g. DKD's {@code dkd_alpha}), swept
 * under {@code sweep.params} and stored with each trial.
 *
 * <p>Why: a method's own hyper-parameters are declared beside its loss, so adding a method
 * with new knobs adds no config field, store column or validation rule elsewhere.
 *
 * @param name          axis name in the config, prefixed by the method's name
 * @param defaults      values swept when the config gives none
 * @param min           smallest valid value (inclusive)
 * @param max           largest valid value (inclusive)
 * @param meaning       one line for errors and docs
 */
public record MethodParameter(String name, List<Double> defaults, double min, double max, String meaning) {

    public MethodParameter {
        defaults = List.copyOf(defaults);
    }

    /** Null when {@code v} is valid, else what is wrong with it. */
    public String check(Double v) {
        return v != null && Double.isFinite(v) && v >= min && v <= max ? null
                : name + " (" + meaning + ") must be in [" + min + ", " + max + "], got " + v;
    }
}
