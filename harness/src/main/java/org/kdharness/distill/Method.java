package org.kdharness.distill;

import java.util.Locale;

/**
 * The training methods a trial can use.
 *
 * <p>Why an enum: the method decides which sweep axes matter to a trial (see
 * {@link #usesTemperature()} and {@link #usesMapping()}), which keeps expansion free of
 * duplicate trials.
 */
public enum Method {
    /** Student on hard labels only. */
    BASELINE,
    /** Hinton response distillation: {@code alpha*CE + (1-alpha)*T^2*KL}. */
    RESPONSE,
    /** FitNets-style hints plus response distillation: {@code w1*Loss1 + w2*Loss2}. */
    FEATURE;

    public static Method parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether temperature and alpha change this method's loss. */
    public boolean usesTemperature() {
        return this != BASELINE;
    }

    /** Whether a layer mapping, distance and loss weights change this method's loss. */
    public boolean usesMapping() {
        return this == FEATURE;
    }
}
