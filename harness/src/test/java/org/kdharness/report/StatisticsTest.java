package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Interval and paired tests against textbook values. */
class StatisticsTest {

    static ConfigGroup group(String method, double... acc) {
        List<TrialRow> rows = new ArrayList<>();
        for (int i = 0; i < acc.length; i++) {
            rows.add(new TrialRow("s", method + i, i, method, null, null, null, null, null, null, i + 1, "done", null, 1, 1.0,
                    null, null, null, null, null, TrialRow.Provenance.NONE, Map.of("test_accuracy", acc[i], "val_accuracy", acc[i])));
        }
        return new ConfigGroup(method, rows);
    }

    @Test
    void tIntervalOverSeeds() {
        Statistics.Summary s = Statistics.summary(new double[]{0.80, 0.82, 0.85});
        assertEquals(0.823333, s.mean(), 1e-6);
        assertEquals(0.025166, s.std(), 1e-6);
        // t(0.975, df=2) = 4.302653
        assertEquals(0.823333 - 0.062517, s.ciLow(), 1e-5);
        assertEquals(0.823333 + 0.062517, s.ciHigh(), 1e-5);
        Statistics.Summary one = Statistics.summary(new double[]{0.8});
        assertTrue(Double.isNaN(one.std()) && Double.isNaN(one.ciLow()));
    }

    @Test
    void pairedTestsOnMatchedSeeds() {
        // differences 0.02, 0.02, 0.05: mean 0.03, sd 0.017321, t = 3.0 with 2 df
        Statistics.Paired p = Statistics.paired(group("a", 0.80, 0.82, 0.85), group("b", 0.78, 0.80, 0.80), "test_accuracy");
        assertEquals(3, p.pairs());
        assertEquals(0.03, p.meanDiff(), 1e-9);
        assertEquals(0.095466, p.tTestP(), 1e-5);
        // exact signed-rank: all three differences positive, two-sided p = 2/8
        assertEquals(0.25, p.wilcoxonP(), 1e-9);
        assertEquals(1.732051, p.effectDz(), 1e-5);
        // three pairs of one sign: the exact test gives its floor, 2/2^3, and cannot go lower; d_z is omitted
        assertEquals(p.wilcoxonP(), p.smallestWilcoxonP(), 1e-12);
        assertTrue(!p.effectStable());
        Statistics.Paired six = Statistics.paired(group("a", 0.81, 0.82, 0.83, 0.84, 0.85, 0.86),
                group("b", 0.80, 0.80, 0.80, 0.80, 0.80, 0.80), "test_accuracy");
        assertEquals(0.03125, six.smallestWilcoxonP(), 1e-12);
        assertEquals(six.smallestWilcoxonP(), six.wilcoxonP(), 1e-12, "six pairs of one sign reach 2/64 < 0.05");
        assertTrue(six.effectStable());
        assertEquals(6, Statistics.pairsToReach(0.05), "2/2^5 = 0.0625, 2/2^6 = 0.03125");
        // the note under the comparisons: what 1, 3 and 6 pairs can show
        java.util.function.IntFunction<String> note = n -> PairedComparisons.note(List.of(Map.of("pairs", n)));
        assertEquals("Each comparison rests on 1 matched seed. With fewer than 2 pairs no paired test is possible. d_z is omitted"
                + " below 5 pairs: the spread of so few differences is a guess. More seeds make these answers firmer.", note.apply(1));
        assertTrue(note.apply(3).contains("With 3 pairs the exact Wilcoxon test cannot give p below 0.250 however large the"
                + " difference (the column 'smallest possible p'); 6 pairs can reach 0.031."), note.apply(3));
        assertEquals("Each comparison rests on 6 matched seeds.", note.apply(6));
        Statistics.Paired single = Statistics.paired(group("a", 0.8), group("b", 0.7), "test_accuracy");
        assertEquals(1, single.pairs());
        assertTrue(Double.isNaN(single.tTestP()) && Double.isNaN(single.wilcoxonP()));
    }

    @Test
    void intervalsPastAHundredPercentAreClippedAndMarked() {
        // two seeds at 97.5 % and 99.7 %: the t-interval reaches past 100 %
        Statistics.Summary s = Statistics.summary(new double[]{0.975, 0.997});
        assertTrue(s.ciHigh() > 1, "the raw interval passes 1: " + s.ciHigh());
        assertEquals("[" + HtmlReport.pct(s.ciLow()) + ", 100.00]‡", ReportSections.interval(s.ciLow(), s.ciHigh()));
        Statistics.Summary inside = Statistics.summary(new double[]{0.80, 0.82, 0.81});
        assertEquals("[" + HtmlReport.pct(inside.ciLow()) + ", " + HtmlReport.pct(inside.ciHigh()) + "]",
                ReportSections.interval(inside.ciLow(), inside.ciHigh()), "no mark when nothing was clipped");
    }

    @Test
    void spearmanPValueMatchesSciPy() {
        // exact: scipy.stats.permutation_test((x, y), spearman rho, permutation_type='pairings', n_resamples=inf)
        assertEquals(0.058333333333333334, Statistics.spearmanP(new double[]{1, 2, 3, 4, 5, 6}, new double[]{2, 1, 4, 3, 6, 5}), 1e-12);
        assertEquals(1.0 / 3, Statistics.spearmanP(new double[]{1, 2, 3}, new double[]{1, 2, 3}), 1e-12,
                "three mappings in perfect order: p = 1/3, not the t approximation's 0");
        assertEquals(1.0 / 3, Statistics.spearmanP(new double[]{0.3, 0.1, 0.2, 0.5}, new double[]{0.81, 0.80, 0.82, 0.85}), 1e-12);
        assertEquals(0.2, Statistics.spearmanP(new double[]{1, 2, 2, 3, 4}, new double[]{2, 1, 3, 3, 5}), 1e-12, "with ties");
        // above 9 points, the t approximation: scipy.stats.spearmanr(range(10), [1, 0, 3, 2, 5, 4, 7, 6, 9, 8])
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, y = {1, 0, 3, 2, 5, 4, 7, 6, 9, 8};
        assertEquals(SPEARMAN_T_P, Statistics.spearmanP(x, y), 1e-9);
        assertTrue(Double.isNaN(Statistics.spearmanP(new double[]{1, 2}, new double[]{2, 1})));
    }

    /**
     * The paired t-test's power and the pairs it needs, against SciPy's noncentral t (Debian's python3-scipy 1.10):
     * <pre>
     * import scipy.stats as st, math
     * def power(n, d):
     *     df = n - 1; nc = d * math.sqrt(n); tc = st.t.ppf(0.975, df)
     *     return 1 - st.nct.cdf(tc, df, nc) + st.nct.cdf(-tc, df, nc)
     * # pairs: the smallest n >= 2 with power(n, d) >= 0.8
     * </pre>
     * (the pairs agree with R's {@code pwr.t.test(type = "paired")}: 34 for d = 0.5, 15 for 0.8, 10 for 1).
     */
    @Test
    void pairedPowerAndPairsMatchScipysNoncentralT() {
        assertEquals(0.8030968566327219, Statistics.pairedPower(10, 1.0, 0.05), 1e-6);
        assertEquals(0.8077775012792737, Statistics.pairedPower(34, 0.5, 0.05), 1e-6);
        assertEquals(0.9088848681009404, Statistics.pairedPower(5, 2.0, 0.05), 1e-6);
        assertEquals(0.8037942968932215, Statistics.pairedPower(90, 0.3, 0.05), 1e-6);
        assertEquals(0.9754622687331689, Statistics.pairedPower(3, -5.0, 0.05), 1e-6);
        double[][] pairs = {{0.3, 90}, {0.5, 34}, {0.8, 15}, {1.0, 10}, {2.0, 5}, {3.0, 4}, {5.0, 3}, {-0.5, 34}};
        for (double[] p : pairs) {
            assertEquals((int) p[1], Statistics.pairsForPower(p[0], 0.05, 0.8), "d_z = " + p[0]);
        }
        assertEquals(Integer.MAX_VALUE, Statistics.pairsForPower(0, 0.05, 0.8));
    }

    /** scipy.stats.spearmanr(range(10), [1, 0, 3, 2, 5, 4, 7, 6, 9, 8]).pvalue. */
    static final double SPEARMAN_T_P = 5.484052998513666e-05;
}
