package org.kdharness.sweep;

import org.kdharness.distill.TrialSpec;

import java.util.Locale;
import java.util.Map;

/**
 * The configuration with the best mean validation accuracy over the seeds finished in
 * this run (the report's rule: one lucky seed is not a result), for the progress line.
 */
final class BestSoFar {
    /** Per configuration: sum of val, sum of test, seeds. */
    private final Map<TrialSpec, double[]> sums = new java.util.HashMap<>();
    private final Map<TrialSpec, String> labels = new java.util.HashMap<>();
    private TrialSpec best;

    synchronized void offer(TrialSpec trial, double val, double test, String label) {
        TrialSpec config = trial.configuration();
        double[] s = sums.computeIfAbsent(config, k -> new double[3]);
        s[0] += val;
        s[1] += test;
        s[2]++;
        labels.put(config, label.replaceAll(" seed=\\d+$", ""));
        // a new seed can lower the leader's mean: the whole field is compared again
        best = sums.entrySet().stream().max(java.util.Comparator.comparingDouble(e -> e.getValue()[0] / e.getValue()[2]))
                .map(Map.Entry::getKey).orElse(null);
    }

    synchronized String describe() {
        if (best == null) {
            return "";
        }
        double[] s = sums.get(best);
        return String.format(Locale.ROOT, " | best by mean val: test %.4f %s (%d seed%s)", s[1] / s[2], labels.get(best),
                (int) s[2], s[2] == 1 ? "" : "s");
    }
}
