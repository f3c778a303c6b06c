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
    FEATURE,
    /** Relational KD (sample-to-sample structure) plus response distillation: {@code w1*LossR + w2*Loss2}. */
    RELATION;

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
        return this == FEATURE || this == RELATION;
    }

    /** Whether {@code distance} is one of this method's distances. */
    public boolean accepts(String distance) {
        return switch (this) {
            case FEATURE -> FEATURE_DISTANCES.contains(distance);
            case RELATION -> RELATION_DISTANCES.contains(distance);
            default -> false;
        };
    }

    /** Hint distances between (projected) student and teacher layers. */
    public static final java.util.Set<String> FEATURE_DISTANCES = java.util.Set.of("mse", "cosine", "attention");
    /** Distances between the two networks' sample-to-sample structures. */
    public static final java.util.Set<String> RELATION_DISTANCES = java.util.Set.of("sp", "rkd_distance");
}
