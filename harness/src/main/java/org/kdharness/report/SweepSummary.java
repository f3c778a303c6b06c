package org.kdharness.report;

import org.kdharness.methods.DistillationRegistry;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The comparison a sweep exists to make: per method (per method and distance, see
 * {@link TrialRow#variant()}), its best configuration chosen on validation accuracy,
 * reported on test accuracy as mean and std over seeds.
 *
 * <p>Why select on validation: choosing the best configuration by test accuracy would
 * report an optimistically biased number; test is only read for the chosen one.
 *
 * @param trials all trials in plan order
 * @param groups finished configurations
 * @param best   per variant, its best configuration, in the registry's order of methods and distances
 */
public record SweepSummary(List<TrialRow> trials, List<ConfigGroup> groups, Map<String, ConfigGroup> best) {

    public static final String SELECT_ON = "val_accuracy";
    public static final String REPORT_ON = "test_accuracy";

    public static SweepSummary of(List<TrialRow> trials) {
        Map<String, List<TrialRow>> byConfig = new LinkedHashMap<>();
        // a configuration ASHA pruned is not compared, even where one of its seeds finished
        java.util.Set<String> pruned = new java.util.HashSet<>();
        trials.stream().filter(t -> "pruned".equals(t.status())).forEach(t -> pruned.add(t.configKey()));
        for (TrialRow t : trials) {
            if ("done".equals(t.status()) && !pruned.contains(t.configKey())) {
                byConfig.computeIfAbsent(t.configKey(), k -> new ArrayList<>()).add(t);
            }
        }
        List<ConfigGroup> groups = byConfig.entrySet().stream().map(e -> new ConfigGroup(e.getKey(), e.getValue())).toList();
        Map<String, ConfigGroup> best = new LinkedHashMap<>();
        groups.stream().sorted(Comparator.comparingInt(SweepSummary::registryRank)).forEach(g ->
                best.merge(g.variant(), g, (a, b) -> SELECTION.compare(b, a) < 0 ? b : a));
        return new SweepSummary(trials, groups, best);
    }

    /** How ties on {@link #SELECT_ON} are broken, in words (the report prints it beside a tie). */
    public static final String TIE_RULE = "fewer trained parameters (student and projections), then the lower temperature, "
            + "then the earlier configuration in the plan";

    /**
     * Best first: the higher mean validation accuracy; on a tie, {@link #TIE_RULE} (plan order: the group's first trial's
     * ordinal, as the store lists trials). Every "best" in the report and status uses it. Why a stated rule: two
     * configurations tied at 83.90 % and the report picked one silently, by plan order alone.
     */
    public static final Comparator<ConfigGroup> SELECTION = Comparator.comparing(SweepSummary::selectionScore, Comparator.reverseOrder())
            .thenComparingDouble(g -> g.mean("student_params") + (Double.isNaN(g.mean("projection_params")) ? 0 : g.mean("projection_params")))
            .thenComparingDouble(g -> g.first().temperature() == null ? Double.MAX_VALUE : g.first().temperature())
            .thenComparingInt(g -> g.first().ordinal());

    /** The other configurations of {@code variant} whose mean validation accuracy equals its best's (none: no tie). */
    public List<ConfigGroup> tiedWithBest(String variant) {
        ConfigGroup b = best.get(variant);
        return b == null ? List.of() : ranked(variant).stream().filter(g -> g != b && selectionScore(g) == selectionScore(b)).toList();
    }

    /**
     * Mean validation accuracy in units of 1e-9: accuracies are fractions of the validation set averaged over seeds, so
     * two configurations differ by far more than that or are tied, whatever order their seeds were summed in.
     */
    private static long selectionScore(ConfigGroup g) {
        double m = g.mean(SELECT_ON);
        return Double.isNaN(m) ? Long.MIN_VALUE : Math.round(m * 1e9);
    }

    /** Registration order of the group's method, then of its distance (unknown names last). */
    private static int registryRank(ConfigGroup g) {
        DistillationRegistry r = DistillationRegistry.standard();
        int m = r.methodNames().indexOf(g.method()), d = g.first().distance() == null ? -1 : r.distanceNames().indexOf(g.first().distance());
        return (m < 0 ? 1000 : m) * 1000 + d + 1;
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
        return all.isEmpty() ? this : all.get(primaryContext());
    }

    /**
     * The primary context: the config's defaults ("") when the grid has them, else the first in plan
     * order that has a finished configuration (under ASHA a whole context can be pruned), else the first.
     */
    public String primaryContext() {
        Map<String, SweepSummary> all = byContext();
        if (all.isEmpty() || all.containsKey("")) {
            return "";
        }
        return all.entrySet().stream().filter(e -> !e.getValue().groups().isEmpty()).map(Map.Entry::getKey).findFirst()
                .orElse(all.keySet().iterator().next());
    }

    public long count(String status) {
        return trials.stream().filter(t -> status.equals(t.status())).count();
    }

    /** The best configuration of a variant ({@code baseline}, {@code relation (pkt)}, ...). */
    public Optional<ConfigGroup> bestOf(String variant) {
        return Optional.ofNullable(best.get(variant));
    }

    /** The variants present, in report order. */
    public List<String> variants() {
        return List.copyOf(best.keySet());
    }

    /** Configurations of a variant ranked by mean validation accuracy, best first (ties: {@link #TIE_RULE}). */
    public List<ConfigGroup> ranked(String variant) {
        return groups.stream().filter(g -> g.variant().equals(variant)).sorted(SELECTION).toList();
    }
}
