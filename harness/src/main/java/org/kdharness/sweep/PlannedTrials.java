package org.kdharness.sweep;

import org.kdharness.config.ConfigHash;
import org.kdharness.config.SweepConfig;
import org.kdharness.distill.TrialSpec;
import org.kdharness.store.MetricsStore;

import java.util.Map;

/**
 * A planned trial as the store registers it: its settings in columns, and its effective spec as canonical JSON.
 *
 * <p>Why apart from {@link SweepRunner}: what a trial's row holds is the store's contract with the report, the export
 * and a resumed run, not a step of running the sweep.
 */
final class PlannedTrials {

    private PlannedTrials() {
    }

    static MetricsStore.PlannedTrial planned(SweepConfig c, Trial t) {
        TrialSpec s = t.spec();
        return new MetricsStore.PlannedTrial(t.id(), t.ordinal(), s.method().name(), s.temperature(), s.alpha(),
                s.wFeature(), s.wResponse(), s.mapping() == null ? null : s.mapping().name(),
                s.distance() == null ? null : s.distance().name(), s.seed(), s.studentName(), s.learningRate(),
                s.labelledFraction(), s.optimiser(), s.params().isEmpty() ? null : s.paramsText(), specJson(c, s), t.configKey());
    }

    /**
     * The effective spec as JSON: every setting that trains the student, with the config's
     * values where the trial does not override them (student, learning rate, optimiser,
     * labelled fraction), and the canonical text its id hashes.
     */
    static String specJson(SweepConfig c, TrialSpec s) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("method", s.method().name());
        m.put("temperature", s.temperature());
        m.put("alpha", s.alpha());
        m.put("w_feature", s.wFeature());
        m.put("w_response", s.wResponse());
        m.put("mapping", s.mapping() == null ? null : s.mapping().name());
        m.put("distance", s.distance() == null ? null : s.distance().name());
        m.put("params", s.params());
        m.put("seed", s.seed());
        m.put("student", s.student() != null ? s.student() : c.student().model());
        m.put("learning_rate", s.learningRate() != null ? s.learningRate() : c.student().training().learningRate());
        m.put("optimiser", s.optimiser() != null ? s.optimiser() : c.student().training().optimiser());
        m.put("labelled_fraction", s.effectiveLabelledFraction());
        m.put("training", c.student().training());
        m.put("canonical", s.canonical());
        return ConfigHash.canonicalJson(m);
    }
}
