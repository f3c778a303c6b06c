package org.kdharness.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The report's answer in words, for the results section of a paper: which method reached the highest test accuracy
 * among the configurations chosen on validation accuracy, by how much against each other method (with the 95 %
 * interval of the paired difference), whether that is significant on paired seeds, which methods were significantly
 * worse than the baseline, what the teacher reached, and how many seeds would make the closest call firm.
 *
 * <p>Why: the tables hold every number but no sentence answered the question a sweep is run for (did feature-based
 * distillation beat response-only and the baseline, and how sure are we); readers of a 2-seed sweep took a p-value
 * or an effect size at face value. Significance here is the LaTeX table's: a two-sided paired t-test on the seeds
 * both configurations finished, p &lt; {@value #LEVEL}. The seeds needed are for the observed d_z at 80 % power
 * ({@link Statistics#pairsForPower}), and said to be as uncertain as that d_z is.
 */
public final class Verdict {

    /** Significance level of every claim (the LaTeX table's dagger too). */
    static final double LEVEL = 0.05;
    /** The power the seeds-needed advice aims at. */
    static final double POWER = 0.8;

    private Verdict() {
    }

    /** The paragraph for {@code s} (one setting), or "" before two methods have a finished configuration. */
    public static String of(SweepSummary s, double teacherAccuracy) {
        List<ConfigGroup> best = new ArrayList<>();
        s.variants().forEach(v -> s.bestOf(v).filter(g -> !Double.isNaN(g.mean(SweepSummary.REPORT_ON))).ifPresent(best::add));
        if (best.size() < 2) {
            return "";
        }
        best.sort(Comparator.comparingDouble((ConfigGroup g) -> g.mean(SweepSummary.REPORT_ON)).reversed());
        ConfigGroup winner = best.get(0);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s reached the highest test accuracy among the configurations chosen on validation"
                        + " accuracy: %s %% (%s; mean of %d seed%s).", capitalised(name(winner)), HtmlReport.pct(winner.mean(SweepSummary.REPORT_ON)),
                HtmlReport.describe(winner.first()), winner.seeds(), winner.seeds() == 1 ? "" : "s"));
        List<String> against = new ArrayList<>();
        for (ConfigGroup other : best.subList(1, best.size())) {
            against.add(name(other) + ", " + versus(winner, other));
        }
        out.append(" Against ").append(String.join("; against ", against)).append('.');
        int tests = best.size() - 1;
        // feature-based against response-only, when neither won: the comparison the sweep exists for
        Optional<ConfigGroup> response = best.stream().filter(g -> g.method().equals("response")).findFirst();
        Optional<ConfigGroup> feature = best.stream().filter(g -> g.method().equals("feature")).findFirst();
        if (response.isPresent() && feature.isPresent() && winner != response.get() && winner != feature.get()) {
            out.append(' ').append(capitalised(name(feature.get()))).append(" against ").append(name(response.get())).append(": ")
                    .append(versus(feature.get(), response.get())).append('.');
        }
        Optional<ConfigGroup> baseline = best.stream().filter(g -> g.method().equals("baseline")).findFirst();
        if (baseline.isPresent()) {
            List<String> losses = new ArrayList<>();
            for (ConfigGroup g : best) {
                Statistics.Paired p = Statistics.paired(g, baseline.get(), SweepSummary.REPORT_ON);
                if (g != baseline.get() && p.significant(LEVEL) && p.meanDiff() < 0) {
                    losses.add(String.format(Locale.ROOT, "%s (%s points, p = %s)", name(g), points(p.meanDiff()), ReportSections.pValue(p.tTestP())));
                }
            }
            if (!losses.isEmpty()) {
                out.append(" Significantly below the baseline: ").append(String.join(", ", losses)).append('.');
            }
        }
        if (!Double.isNaN(teacherAccuracy)) {
            double gap = teacherAccuracy - winner.mean(SweepSummary.REPORT_ON);
            out.append(String.format(Locale.ROOT, " The teacher reached %s %%, %s points %s %s.", HtmlReport.pct(teacherAccuracy),
                    String.format(Locale.ROOT, "%.2f", 100 * Math.abs(gap)), gap >= 0 ? "above" : "below", name(winner)));
        }
        out.append(' ').append(firmer(winner, best.get(1)));
        if (tests > 1) {
            out.append(String.format(Locale.ROOT, " (The winner was picked on test accuracy and then compared with %d methods: each p is"
                    + " uncorrected for that.)", tests));
        }
        return out.toString();
    }

    /** {@code a} against {@code b}: the difference, its interval, the test and what it means (the names are the caller's). */
    private static String versus(ConfigGroup a, ConfigGroup b) {
        Statistics.Paired p = Statistics.paired(a, b, SweepSummary.REPORT_ON);
        if (p.pairs() < 2) {
            return String.format(Locale.ROOT, "%s points on %d matched seed%s (no paired test without 2)",
                    points(a.mean(SweepSummary.REPORT_ON) - b.mean(SweepSummary.REPORT_ON)), p.pairs(), p.pairs() == 1 ? "" : "s");
        }
        if (!(p.sdDiff() > 0)) {
            // every matched seed gave the same difference: no spread, so neither an interval nor a t-test
            return String.format(Locale.ROOT, "%s points on each of %d matched seeds (no spread, so no t-test)", points(p.meanDiff()),
                    p.pairs());
        }
        double[] ci = p.interval();
        String meaning = p.significant(LEVEL) ? (p.meanDiff() > 0 ? "significantly better" : "significantly worse") : "not significant";
        return String.format(Locale.ROOT, "%s points (95 %% CI %s to %s; paired t-test p = %s on %d matched seeds: %s)",
                points(p.meanDiff()), points(ci[0]), points(ci[1]), ReportSections.pValue(p.tTestP()), p.pairs(), meaning);
    }

    /** What would make the winner against the runner-up firm: the seeds the observed effect needs, or that it holds. */
    private static String firmer(ConfigGroup winner, ConfigGroup runnerUp) {
        Statistics.Paired p = Statistics.paired(winner, runnerUp, SweepSummary.REPORT_ON);
        if (p.pairs() < 2) {
            return "Run at least two seeds of each configuration for a paired test.";
        }
        if (p.significant(LEVEL)) {
            return String.format(Locale.ROOT, "The lead over %s is significant at p < 0.05 on %d matched seeds%s.", name(runnerUp), p.pairs(),
                    p.effectStable() ? "" : String.format(Locale.ROOT, " (with fewer than %d, more seeds would still make it firmer)",
                            Statistics.STABLE_EFFECT_PAIRS));
        }
        if (p.meanDiff() == 0) {
            return String.format(Locale.ROOT, "%s and %s did not differ on these seeds.", capitalised(name(winner)), name(runnerUp));
        }
        if (!(p.sdDiff() > 0)) {
            return String.format(Locale.ROOT, "Every matched seed put %s %s points ahead of %s; more seeds would show whether that spread"
                    + " stays at zero.", name(winner), points(p.meanDiff()), name(runnerUp));
        }
        int needed = Statistics.pairsForPower(p.effectDz(), LEVEL, POWER);
        if (needed == Integer.MAX_VALUE) {
            return String.format(Locale.ROOT, "The difference to %s (%s points) is too small against its spread for any feasible number of"
                    + " seeds to show it.", name(runnerUp), points(p.meanDiff()));
        }
        return String.format(Locale.ROOT, "If the difference to %s (%s points) and its spread over seeds held, about %d seeds would"
                        + " show it at 80 %% power (paired t-test, p < 0.05)%s.", name(runnerUp), points(p.meanDiff()), needed,
                p.effectStable() ? "" : String.format(Locale.ROOT, "; with %d seeds that spread is itself a rough guess", p.pairs()));
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
    }

    private static String name(ConfigGroup g) {
        return g.variant();
    }

    /** Percentage points with a sign, e.g. {@code +0.47}. */
    private static String points(double fraction) {
        return Double.isNaN(fraction) ? "–" : String.format(Locale.ROOT, "%+.2f", 100 * fraction);
    }
}
