package org.kdharness.store;

import java.util.Map;

/**
 * A trial as recorded in the store: its settings, status and final metrics.
 *
 * <p>Why a flat record: reports and exports read trials as rows; the metrics map holds
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
        Map<String, Double> metrics) {

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

    /** The settings that identify a configuration regardless of seed (for grouping seeds). */
    public String configKey() {
        return method + "|T=" + temperature + "|a=" + alpha + "|wf=" + wFeature + "|wr=" + wResponse
                + "|m=" + mapping + "|d=" + distance + "|s=" + student + "|lr=" + learningRate + "|lf=" + labelledFraction + "|opt=" + optimiser;
    }
}
