package org.kdharness.distill;

import org.kdharness.config.LayerMapping;

/**
 * The settings that make one trial's loss: method, temperature, alpha, loss weights,
 * mapping, distance and seed.
 *
 * <p>Why: axes a method ignores are {@code null} here (never a default value), so two
 * trials that would train identically are equal values with equal ids.
 *
 * @param method      training method
 * @param temperature T (null for baseline)
 * @param alpha       hard-label weight (null for baseline)
 * @param wFeature    w1, weight of Loss1 (feature only)
 * @param wResponse   w2, weight of Loss2 (feature only; response uses Loss2 alone)
 * @param mapping     layer mapping (feature only)
 * @param distance    feature distance (feature only)
 * @param seed        student init and data-order seed
 */
public record TrialSpec(
        Method method,
        Double temperature,
        Double alpha,
        Double wFeature,
        Double wResponse,
        LayerMapping mapping,
        String distance,
        long seed) {

    /** Effective alpha: 1 for baseline (hard labels only). */
    public double effectiveAlpha() {
        return alpha == null ? 1.0 : alpha;
    }

    /** Effective temperature: 1 when the method has none. */
    public double effectiveTemperature() {
        return temperature == null ? 1.0 : temperature;
    }

    /** Effective w2: 1 unless a feature trial sets it. */
    public double effectiveWResponse() {
        return wResponse == null ? 1.0 : wResponse;
    }

    /** Effective w1: 0 unless a feature trial sets it. */
    public double effectiveWFeature() {
        return wFeature == null ? 0.0 : wFeature;
    }

    /** Canonical text of every value that changes training; hashed into the trial id. */
    public String canonical() {
        return "method=" + method.id() + ";T=" + temperature + ";alpha=" + alpha + ";w_feature=" + wFeature
                + ";w_response=" + wResponse + ";mapping=" + (mapping == null ? null : mapping.name())
                + ";distance=" + distance + ";seed=" + seed;
    }
}
