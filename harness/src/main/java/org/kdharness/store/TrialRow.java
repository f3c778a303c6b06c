package org.kdharness.store;

import java.util.Map;

/**
 * A trial as recorded in the store: its settings, status and final metrics.
 *
 * <p>Why a flat record: reports and exports read trials as rows ({@code params} is the
 * method parameters' text, {@code name=value,...}); the metrics map holds
 * every named final metric ({@code test_accuracy}, {@code test_teacher_agreement}, ...).
 */
public record TrialRow(
        String sweep,
        String trialId,
        int ordinal,
        String method,
        Double temperature,
        Double alpha,
        Double wFeature,
        Double wResponse,
        String mapping,
        String distance,
        long seed,
        String status,
        String reason,
        Integer epochs,
        Double seconds,
        String student,
        Double learningRate,
        Double labelledFraction,
        String optimiser,
        String params,
        Provenance provenance,
        Map<String, Double> metrics) {

    /**
     * How a finished trial was produced (null parts for trials not finished, or finished by
     * a version before provenance was recorded).
     *
     * @param runId  the {@code run} row (process, commit, backend) that finished it
     * @param engine {@code layers} (the layer engine's hand-written gradients), {@code graph} (SameDiff
     *               autodiff), or {@code dense} (the hand-written MLP/CNN path of stores written before it went)
     */
    public record Provenance(String runId, String engine) {
        public static final Provenance NONE = new Provenance(null, null);
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        return v == null ? Double.NaN : v;
    }

    /**
     * The setting a comparison between methods must hold fixed: student architecture,
     * learning rate, labelled fraction and optimiser when they differ from the config's defaults
     * (empty for the defaults).
     */
    public String context() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (student != null) {
            parts.add("student " + student);
        }
        if (learningRate != null) {
            parts.add("lr " + learningRate);
        }
        if (labelledFraction != null) {
            parts.add("labelled " + labelledFraction);
        }
        if (optimiser != null) {
            parts.add("optimiser " + optimiser);
        }
        return String.join(", ", parts);
    }

    /**
     * What the report compares: the method, and for methods with a layer distance the
     * distance too ({@code relation (pkt)}), since each distance is a method of its own in
     * the literature (SP, RKD, PKT; FitNets' mse hints vs cosine hints).
     */
    public String variant() {
        return distance == null ? method : method + " (" + distance + ")";
    }

    /** The settings that identify a configuration regardless of seed (for grouping seeds). */
    public String configKey() {
        return method + (params == null ? "" : "|p=" + params) + "|T=" + temperature + "|a=" + alpha + "|wf=" + wFeature + "|wr=" + wResponse
                + "|m=" + mapping + "|d=" + distance + "|s=" + student + "|lr=" + learningRate + "|lf=" + labelledFraction + "|opt=" + optimiser;
    }
}
