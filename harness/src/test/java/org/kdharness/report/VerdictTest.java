package org.kdharness.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.TTest;
import org.junit.jupiter.api.Test;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verdict paragraph's claims, each recomputed here from the per-seed accuracies with Commons Math (the paired
 * t-test, the t-interval of the mean difference) and compared with the words and numbers it prints.
 */
class VerdictTest {

    /** One configuration per method; validation accuracy equals test accuracy, seeds 1..n. */
    private static List<TrialRow> sweep(double[] baseline, double[] response, double[] feature) {
        List<TrialRow> rows = new ArrayList<>();
        int ordinal = 0;
        for (int s = 0; s < baseline.length; s++) {
            rows.add(row(ordinal++, "baseline", null, s + 1, baseline[s]));
            rows.add(row(ordinal++, "response", null, s + 1, response[s]));
            rows.add(row(ordinal++, "feature", "s2<-t2", s + 1, feature[s]));
        }
        return rows;
    }

    private static TrialRow row(int ordinal, String method, String mapping, long seed, double acc) {
        boolean kd = !method.equals("baseline");
        return new TrialRow("s", method + seed, ordinal, method, kd ? 4.0 : null, kd ? 0.5 : null, mapping == null ? null : 0.8,
                mapping == null ? null : 0.2, mapping, mapping == null ? null : "mse", seed, "done", null, 1, 1.0, null, null, null, null,
                null, TrialRow.Provenance.NONE, Map.of("test_accuracy", acc, "val_accuracy", acc));
    }

    private static double[] diff(double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /** "+d points (95 % CI lo to hi; paired t-test p = p on n matched seeds", recomputed. */
    private static String comparison(double[] a, double[] b) {
        double[] d = diff(a, b);
        double mean = java.util.Arrays.stream(d).average().orElseThrow();
        double sd = new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics(d).getStandardDeviation();
        double half = new TDistribution(d.length - 1).inverseCumulativeProbability(0.975) * sd / Math.sqrt(d.length);
        return String.format(Locale.ROOT, "%+.2f points (95 %% CI %+.2f to %+.2f; paired t-test p = %s on %d matched seeds", 100 * mean,
                100 * (mean - half), 100 * (mean + half), ReportSections.pValue(new TTest().pairedTTest(a, b)), d.length);
    }

    @Test
    void aSignificantWinAndASignificantLossAreBothSaid() {
        double[] baseline = {0.80, 0.81, 0.82}, response = {0.83, 0.84, 0.86}, feature = {0.78, 0.785, 0.79};
        String v = Verdict.of(SweepSummary.of(sweep(baseline, response, feature)), 0.90);
        assertTrue(v.startsWith("Response reached the highest test accuracy among the configurations chosen on validation accuracy:"
                + " 84.33 % (T=4, α=0.5; mean of 3 seeds)."), v);
        assertTrue(v.contains(" Against baseline, " + comparison(response, baseline) + ": significantly better);"), v);
        assertTrue(v.contains("; against feature (mse), " + comparison(response, feature) + ": significantly better)."), v);
        assertTrue(new TTest().pairedTTest(feature, baseline) < 0.05, "the data must make feature a significant loss");
        assertTrue(v.contains(" Significantly below the baseline: feature (mse) (-2.50 points, p = "
                + ReportSections.pValue(new TTest().pairedTTest(feature, baseline)) + ")."), v);
        assertTrue(v.contains(" The teacher reached 90.00 %, 5.67 points above response."), v);
        assertTrue(v.contains(" The lead over baseline is significant at p < 0.05 on 3 matched seeds (with fewer than 5, more seeds would"
                + " still make it firmer)."), v);
        assertTrue(v.endsWith(" (The winner was picked on test accuracy and then compared with 2 methods: each p is uncorrected for that.)"), v);
    }

    @Test
    void twoSeedsThatDoNotSettleItSayHowManyWouldAndFeatureMeetsResponse() {
        // baseline wins narrowly; feature against response is said on its own, as neither won
        double[] baseline = {0.850, 0.841}, response = {0.846, 0.840}, feature = {0.840, 0.845};
        String v = Verdict.of(SweepSummary.of(sweep(baseline, response, feature)), Double.NaN);
        assertTrue(v.startsWith("Baseline reached the highest test accuracy"), v);
        assertTrue(v.contains(" Against response, " + comparison(baseline, response) + ": not significant)"), v);
        assertTrue(v.contains(" Feature (mse) against response: " + comparison(feature, response) + ": not significant)."), v);
        double[] d = diff(baseline, response);
        double dz = (d[0] + d[1]) / 2 / new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics(d).getStandardDeviation();
        int needed = Statistics.pairsForPower(dz, 0.05, 0.8);
        assertTrue(needed > 2 && needed < 1000, "d_z " + dz + " needs " + needed);
        assertTrue(v.contains(" If the difference to response (+0.25 points) and its spread over seeds held, about " + needed
                + " seeds would show it at 80 % power (paired t-test, p < 0.05); with 2 seeds that spread is itself a rough guess."), v);
        assertTrue(!v.contains("teacher"), "no teacher accuracy, no teacher sentence: " + v);
    }

    @Test
    void seedsThatAgreeExactlyAreNotCalledADifferenceOfNothing() {
        // response is 12.5 points above the baseline on every seed (exact in binary): no spread, so no interval and no
        // t-test, and never "did not differ"
        double[] baseline = {0.75, 0.5}, response = {0.875, 0.625}, feature = {0.25, 0.375};
        String v = Verdict.of(SweepSummary.of(sweep(baseline, response, feature)), Double.NaN);
        assertTrue(v.contains(" Against baseline, +12.50 points on each of 2 matched seeds (no spread, so no t-test);"), v);
        assertTrue(v.contains(" Every matched seed put response +12.50 points ahead of baseline; more seeds would show whether that"
                + " spread stays at zero."), v);
        assertTrue(!v.contains("did not differ"), v);
    }

    @Test
    void nothingToSayBeforeTwoMethodsFinish() {
        assertEquals("", Verdict.of(SweepSummary.of(List.of(row(0, "baseline", null, 1, 0.8))), 0.9));
    }
}
