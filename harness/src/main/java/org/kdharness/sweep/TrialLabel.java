package org.kdharness.sweep;

import org.kdharness.distill.TrialSpec;

/**
 * A trial's settings in one short line ({@code response T=4 a=0.5 seed=1}): what the progress lines, {@code kd plan}
 * and error messages name a trial by.
 *
 * <p>Why one place: a user matches these lines against each other (a failure against the plan, a done line against
 * the report), so every command must spell a trial the same way.
 */
public final class TrialLabel {

    private TrialLabel() {
    }

    /** The settings of {@code s} that differ between trials, method first, seed last. */
    public static String of(TrialSpec s) {
        StringBuilder sb = new StringBuilder(s.method().name());
        if (s.temperature() != null) {
            sb.append(" T=").append(num(s.temperature())).append(" a=").append(num(s.alpha()));
        }
        if (s.mapping() != null) {
            sb.append(" ").append(s.mapping().name()).append(" ").append(s.distance().name());
        }
        if (s.wFeature() != null) {
            sb.append(" w=").append(num(s.wFeature())).append("/").append(num(s.wResponse()));
        }
        if (!s.params().isEmpty()) {
            sb.append(" ").append(s.paramsText());
        }
        if (s.student() != null) {
            sb.append(" student=").append(s.studentName());
        }
        if (s.learningRate() != null) {
            sb.append(" lr=").append(s.learningRate());
        }
        if (s.labelledFraction() != null) {
            sb.append(" labelled=").append(s.labelledFraction());
        }
        if (s.optimiser() != null) {
            sb.append(" optimiser=").append(s.optimiser());
        }
        return sb.append(" seed=").append(s.seed()).toString();
    }

    private static String num(Double v) {
        return v == null ? "-" : (v == Math.rint(v) ? String.valueOf(v.longValue()) : String.valueOf(v));
    }

}
