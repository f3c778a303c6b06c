package org.kdharness.report;

import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The comparison a sweep exists to make: per method, its best configuration chosen on
 * validation accuracy, reported on test accuracy as mean and std over seeds.
 *
 * <p>Why select on validation: choosing the best configuration by test accuracy would
 * report an optimistically biased number; test is only read for the chosen one.
 *
 * @param trials all trials in plan order
 * @param groups finished configurations
 * @param best   per method (in first-seen order), its best configuration
 */
public record SweepSummary(List<TrialRow> trials, List<ConfigGroup> groups, Map<String, ConfigGroup> best) {

    public static final String SELECT_ON = "val_accuracy";
    public static final String REPORT_ON = "test_accuracy";

    public static SweepSummary of(List<TrialRow> trials) {
        Map<String, List<TrialRow>> byConfig = new LinkedHashMap<>();
        for (TrialRow t : trials) {
            if ("done".equals(t.status())) {
                byConfig.computeIfAbsent(t.configKey(), k -> new ArrayList<>()).add(t);
            }
        }
        List<ConfigGroup> groups = byConfig.entrySet().stream().map(e -> new ConfigGroup(e.getKey(), e.getValue())).toList();
        Map<String, ConfigGroup> best = new LinkedHashMap<>();
        for (ConfigGroup g : groups) {
            best.merge(g.method(), g, (a, b) -> b.mean(SELECT_ON) > a.mean(SELECT_ON) ? b : a);
        }
        return new SweepSummary(trials, groups, best);
    }

    /**
     * The sweep split by {@link TrialRow#context()}: methods are only compared within one
     * student architecture, learning rate and labelled fraction. In plan order; the first is
     * the primary context (the config's defaults when the grid includes them).
     */
    public Map<String, SweepSummary> byContext() {
        Map<String, List<TrialRow>> split = new LinkedHashMap<>();
        trials.forEach(t -> split.computeIfAbsent(t.context(), k -> new ArrayList<>()).add(t));
        Map<String, SweepSummary> out = new LinkedHashMap<>();
        split.forEach((k, v) -> out.put(k, of(v)));
        return out;
    }

    /** The primary context's summary (see {@link #byContext()}). */
    public SweepSummary primary() {
        Map<String, SweepSummary> all = byContext();
        return all.isEmpty() ? this : all.containsKey("") ? all.get("") : all.values().iterator().next();
    }

    public long count(String status) {
        return trials.stream().filter(t -> status.equals(t.status())).count();
    }

    public Optional<ConfigGroup> bestOf(String method) {
        return Optional.ofNullable(best.get(method));
    }

    /** Configurations of a method ranked by mean validation accuracy, best first. */
    public List<ConfigGroup> ranked(String method) {
        return groups.stream().filter(g -> g.method().equals(method))
                .sorted(Comparator.comparingDouble((ConfigGroup g) -> g.mean(SELECT_ON)).reversed()).toList();
    }
}
