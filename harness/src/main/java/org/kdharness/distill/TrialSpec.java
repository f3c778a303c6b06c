package org.kdharness.distill;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.LayerMapping;
import org.kdharness.config.ModelSpec;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

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
 * @param student      student architecture when it differs from the config's (else null)
 * @param learningRate student learning rate when it differs from the config's (else null)
 * @param labelledFraction share of training examples whose labels are used (null = all)
 * @param optimiser    student optimiser when it differs from the config's (else null)
 * @param params       the method's own parameters ({@link DistillationMethod#parameters()}), by name
 */
public record TrialSpec(
        DistillationMethod method,
        Double temperature,
        Double alpha,
        Double wFeature,
        Double wResponse,
        LayerMapping mapping,
        LayerDistance distance,
        long seed,
        ModelSpec student,
        Double learningRate,
        Double labelledFraction,
        String optimiser,
        SortedMap<String, Double> params) {

    public TrialSpec {
        params = params == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(params));
    }

    /** A trial without method parameters. */
    public TrialSpec(DistillationMethod method, Double temperature, Double alpha, Double wFeature, Double wResponse,
                     LayerMapping mapping, LayerDistance distance, long seed, ModelSpec student, Double learningRate,
                     Double labelledFraction, String optimiser) {
        this(method, temperature, alpha, wFeature, wResponse, mapping, distance, seed, student, learningRate,
                labelledFraction, optimiser, null);
    }

    /** A trial with the config's student architecture and learning rate, on fully labelled data. */
    public TrialSpec(DistillationMethod method, Double temperature, Double alpha, Double wFeature, Double wResponse,
                     LayerMapping mapping, LayerDistance distance, long seed) {
        this(method, temperature, alpha, wFeature, wResponse, mapping, distance, seed, null, null, null, null, null);
    }

    /** Effective labelled fraction: 1 when every training label is used. */
    public double effectiveLabelledFraction() {
        return labelledFraction == null ? 1.0 : labelledFraction;
    }

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
        return "method=" + method.name() + ";T=" + temperature + ";alpha=" + alpha + ";w_feature=" + wFeature
                + ";w_response=" + wResponse + ";mapping=" + (mapping == null ? null : mapping.name())
                + ";distance=" + (distance == null ? null : distance.name()) + ";seed=" + seed
                // appended only when set, so ids of trials without these axes never change
                + (student == null ? "" : ";student=" + ConfigHash.canonicalJson(student))
                + (learningRate == null ? "" : ";lr=" + learningRate)
                + (labelledFraction == null ? "" : ";labelled=" + labelledFraction)
                + (optimiser == null ? "" : ";optimiser=" + optimiser)
                + (params.isEmpty() ? "" : ";params=" + paramsText());
    }

    /** The configuration this trial is one seed of: every setting but the seed. */
    public TrialSpec configuration() {
        return new TrialSpec(method, temperature, alpha, wFeature, wResponse, mapping, distance, 0, student, learningRate,
                labelledFraction, optimiser, params);
    }

    /** A copy with another optimiser. */
    public TrialSpec withOptimiser(String value) {
        return new TrialSpec(method, temperature, alpha, wFeature, wResponse, mapping, distance, seed, student,
                learningRate, labelledFraction, value, params);
    }

    /** The value of a method parameter. @throws IllegalArgumentException when the trial has none of that name */
    public double param(String name) {
        Double v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("trial of method " + method.name() + " has no parameter " + name);
        }
        return v;
    }

    /** {@code name=value} pairs in name order, e.g. {@code dkd_alpha=1.0,dkd_beta=8.0} (empty when none). */
    public String paramsText() {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** Short readable form of the student override, e.g. {@code mlp[128, 64]}. */
    public String studentName() {
        return student == null ? null : student.shortName();
    }

    /**
     * A builder for a trial of {@code method} at {@code seed}: every other setting starts
     * unset (null, i.e. the config's default or not read by the method).
     */
    public static Builder of(DistillationMethod method, long seed) {
        return new Builder(method, seed);
    }

    /** Why a builder: thirteen positional components, most null for any given method, are easy to misplace. */
    public static final class Builder {
        private final DistillationMethod method;
        private final long seed;
        private Double temperature;
        private Double alpha;
        private Double wFeature;
        private Double wResponse;
        private LayerMapping mapping;
        private LayerDistance distance;
        private ModelSpec student;
        private Double learningRate;
        private Double labelledFraction;
        private String optimiser;
        private SortedMap<String, Double> params;

        private Builder(DistillationMethod method, long seed) {
            this.method = method;
            this.seed = seed;
        }

        public Builder temperature(Double v) {
            temperature = v;
            return this;
        }

        public Builder alpha(Double v) {
            alpha = v;
            return this;
        }

        /** w1 and w2. */
        public Builder weights(Double w1, Double w2) {
            wFeature = w1;
            wResponse = w2;
            return this;
        }

        public Builder mapping(LayerMapping m, LayerDistance d) {
            mapping = m;
            distance = d;
            return this;
        }

        public Builder student(ModelSpec v) {
            student = v;
            return this;
        }

        public Builder learningRate(Double v) {
            learningRate = v;
            return this;
        }

        public Builder labelledFraction(Double v) {
            labelledFraction = v;
            return this;
        }

        public Builder optimiser(String v) {
            optimiser = v;
            return this;
        }

        public Builder params(SortedMap<String, Double> v) {
            params = v;
            return this;
        }

        public TrialSpec build() {
            return new TrialSpec(method, temperature, alpha, wFeature, wResponse, mapping, distance, seed, student,
                    learningRate, labelledFraction, optimiser, params);
        }
    }
}
