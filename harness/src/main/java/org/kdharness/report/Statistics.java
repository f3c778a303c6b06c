package org.kdharness.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.TTest;
import org.kdharness.store.TrialRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The statistics a paper needs: mean, sample std and 95% t-interval over seeds, and paired
 * tests between two configurations on the seeds they share.
 *
 * <p>Why paired: every method starts from the same initial weights and data order for a
 * given seed, so per-seed differences remove most of the seed-to-seed noise; the paired
 * t-test, the Wilcoxon signed-rank test ({@link SignedRankTest}: zeros dropped, exact with
 * ties up to 50 non-zero pairs) and the effect size
 * {@code d_z = mean(diff) / sd(diff)} all read those differences. With fewer than two
 * pairs (or identical results) a test is undefined and reported as NaN.
 */
public final class Statistics {

    private Statistics() {
    }

    /**
     * Summary of one metric over a configuration's seeds.
     *
     * @param n    number of seeds
     * @param mean mean
     * @param std  sample standard deviation (NaN for one seed)
     * @param ciLow  lower end of the 95% t-interval (NaN for one seed)
     * @param ciHigh upper end
     */
    public record Summary(int n, double mean, double std, double ciLow, double ciHigh) {
    }

    /**
     * A paired comparison {@code a - b}.
     *
     * @param pairs    seeds both configurations finished
     * @param meanDiff mean of {@code a - b}
     * @param tTestP   two-sided paired t-test p-value
     * @param wilcoxonP two-sided Wilcoxon signed-rank p-value
     * @param effectDz Cohen's d_z
     * @param sdDiff   sample standard deviation of {@code a - b} (NaN below 2 pairs)
     */
    public record Paired(int pairs, double meanDiff, double tTestP, double wilcoxonP, double effectDz, double sdDiff) {
        public boolean significant(double level) {
            return tTestP < level;
        }

        /** The 95 % t-interval of the mean difference {@code {low, high}}: NaNs below 2 pairs. */
        public double[] interval() {
            if (pairs < 2 || Double.isNaN(sdDiff)) {
                return new double[]{Double.NaN, Double.NaN};
            }
            double half = new TDistribution(pairs - 1).inverseCumulativeProbability(0.975) * sdDiff / Math.sqrt(pairs);
            return new double[]{meanDiff - half, meanDiff + half};
        }

        /**
         * The smallest two-sided p the exact signed-rank test can reach on these pairs: {@code 2 / 2^n}, when every
         * difference has one sign and no two tie (0.5 at 2 pairs, 0.25 at 3, 0.0625 at 5: below 6 pairs it cannot
         * reach 0.05, whatever the differences). NaN below 2 pairs.
         */
        public double smallestWilcoxonP() {
            return Statistics.smallestWilcoxonP(pairs);
        }

        /**
         * Whether d_z means something here: with fewer than {@value #STABLE_EFFECT_PAIRS} pairs the standard deviation of
         * the differences is a guess (two nearly equal differences give a d_z of -21.7, as a 2-seed sweep showed), so
         * the report omits it.
         */
        public boolean effectStable() {
            return pairs >= STABLE_EFFECT_PAIRS;
        }
    }

    /** The exact signed-rank test's floor on {@code pairs} pairs, {@code min(1, 2 / 2^n)} ({@link Paired#smallestWilcoxonP}); NaN below 2. */
    public static double smallestWilcoxonP(int pairs) {
        return pairs < 2 ? Double.NaN : Math.min(1, Math.pow(2, 1 - pairs));
    }

    /** The fewest pairs whose exact signed-rank floor is below {@code level} (6 for 0.05). */
    public static int pairsToReach(double level) {
        int n = 2;
        while (smallestWilcoxonP(n) >= level) {
            n++;
        }
        return n;
    }

    /**
     * The power of the two-sided paired t-test at {@code level} on {@code n} pairs when the true effect is {@code dz}
     * (mean difference over its standard deviation): {@code P(|T| > t_crit)} for {@code T} noncentral t with
     * {@code n - 1} degrees of freedom and noncentrality {@code dz·√n}. Commons Math has no noncentral t, so its
     * distribution is integrated: {@code T = (Z + δ) / S}, {@code S = √(V/ν)}, {@code V ~ χ²(ν)}, hence
     * {@code P(T > c) = E[1 - Φ(c·S - δ)]}, by the midpoint rule over {@code S} (2,000 points up to where χ²'s tail is
     * below 1e-12). {@code StatisticsTest} pins it to SciPy's {@code nct}.
     */
    public static double pairedPower(int n, double dz, double level) {
        int df = n - 1;
        double crit = new TDistribution(df).inverseCumulativeProbability(1 - level / 2);
        double delta = Math.abs(dz) * Math.sqrt(n);
        org.apache.commons.math3.distribution.ChiSquaredDistribution chi = new org.apache.commons.math3.distribution.ChiSquaredDistribution(df);
        org.apache.commons.math3.distribution.NormalDistribution normal = new org.apache.commons.math3.distribution.NormalDistribution();
        double top = Math.sqrt((df + 14 * Math.sqrt(2.0 * df) + 30) / df);
        int steps = 2000;
        double h = top / steps, power = 0;
        for (int i = 0; i < steps; i++) {
            double sv = (i + 0.5) * h;
            // the density of S at sv: f_V(ν s²)·2νs
            double density = chi.density(df * sv * sv) * 2 * df * sv;
            power += density * h * (1 - normal.cumulativeProbability(crit * sv - delta) + normal.cumulativeProbability(-crit * sv - delta));
        }
        return Math.min(1, power);
    }

    /**
     * The fewest pairs (at least 2) at which the two-sided paired t-test at {@code level} detects a true effect
     * {@code dz} with probability {@code power}: what a sweep needs for the effect it observed. Starts from the normal
     * approximation {@code ((z_{1-α/2} + z_power)/d)² + z²_{1-α/2}/2} (Guenther 1981) a few pairs below, and steps up
     * with {@link #pairedPower}. {@code Integer.MAX_VALUE} for no effect.
     */
    public static int pairsForPower(double dz, double level, double power) {
        if (Double.isNaN(dz) || dz == 0) {
            return Integer.MAX_VALUE;
        }
        org.apache.commons.math3.distribution.NormalDistribution normal = new org.apache.commons.math3.distribution.NormalDistribution();
        double za = normal.inverseCumulativeProbability(1 - level / 2), zb = normal.inverseCumulativeProbability(power);
        double approx = Math.pow((za + zb) / dz, 2) + za * za / 2;
        if (approx > 1e6) {
            return Integer.MAX_VALUE;
        }
        int n = Math.max(2, (int) Math.floor(approx) - 3);
        while (pairedPower(n, dz, level) < power) {
            n++;
        }
        return n;
    }

    /** Fewest pairs at which the report shows Cohen's d_z. */
    public static final int STABLE_EFFECT_PAIRS = 5;

    public static Summary summary(double[] values) {
        DescriptiveStatistics s = new DescriptiveStatistics(values);
        int n = values.length;
        if (n < 2) {
            return new Summary(n, n == 0 ? Double.NaN : s.getMean(), Double.NaN, Double.NaN, Double.NaN);
        }
        double half = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * s.getStandardDeviation() / Math.sqrt(n);
        return new Summary(n, s.getMean(), s.getStandardDeviation(), s.getMean() - half, s.getMean() + half);
    }

    public static Summary summary(ConfigGroup g, String metric) {
        return summary(g.trials().stream().mapToDouble(t -> t.metric(metric)).filter(v -> !Double.isNaN(v)).toArray());
    }

    /** Up to this many points Spearman's p is exact (all n! pairings); beyond, the t approximation. */
    static final int SPEARMAN_EXACT_UP_TO = 9;

    /**
     * Two-sided p-value of Spearman's rho between {@code x} and {@code y}: exact up to
     * {@value #SPEARMAN_EXACT_UP_TO} points, the share of all pairings of y with x whose
     * |rho| reaches the observed one (SciPy's {@code permutation_test}; the t approximation
     * says p = 0 for three mappings in perfect order, where the truth is 1/3); above, the t
     * approximation {@code t = rho sqrt((n - 2) / (1 - rho^2))}, n - 2 degrees of freedom, as
     * SciPy's {@code spearmanr}. NaN below 3 points.
     */
    public static double spearmanP(double[] x, double[] y) {
        int n = x.length;
        org.apache.commons.math3.stat.correlation.SpearmansCorrelation sc = new org.apache.commons.math3.stat.correlation.SpearmansCorrelation();
        double rho = n < 3 ? Double.NaN : sc.correlation(x, y);
        if (Double.isNaN(rho)) {
            return Double.NaN;
        }
        if (n > SPEARMAN_EXACT_UP_TO) {
            if (Math.abs(rho) >= 1) {
                return 0.0;
            }
            double t = rho * Math.sqrt((n - 2) / (1 - rho * rho));
            return 2 * (1 - new TDistribution(n - 2).cumulativeProbability(Math.abs(t)));
        }
        // ranks once: a pairing changes neither rank vector's mean nor spread, only the cross-sum of
        // their deviations, so each of the n! pairings costs O(n) (rho is that sum over the fixed norms)
        org.apache.commons.math3.stat.ranking.NaturalRanking ranking = new org.apache.commons.math3.stat.ranking.NaturalRanking();
        double[] rx = centred(ranking.rank(x)), ry = centred(ranking.rank(y));
        double norm = Math.sqrt(dot(rx, rx) * dot(ry, ry));
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        long hits = 0, all = 0;
        do {
            double cross = 0;
            for (int i = 0; i < n; i++) {
                cross += rx[i] * ry[idx[i]];
            }
            if (Math.abs(cross / norm) >= Math.abs(rho) - 1e-12) {
                hits++;
            }
            all++;
        } while (nextPermutation(idx));
        return (double) hits / all;
    }

    private static double[] centred(double[] v) {
        double mean = java.util.Arrays.stream(v).average().orElse(0);
        return java.util.Arrays.stream(v).map(a -> a - mean).toArray();
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Rearranges {@code a} into its next permutation in lexicographic order; false after the last. */
    private static boolean nextPermutation(int[] a) {
        int i = a.length - 2;
        while (i >= 0 && a[i] >= a[i + 1]) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        int j = a.length - 1;
        while (a[j] <= a[i]) {
            j--;
        }
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
        for (int l = i + 1, r = a.length - 1; l < r; l++, r--) {
            t = a[l];
            a[l] = a[r];
            a[r] = t;
        }
        return true;
    }

    /** Compares {@code a} with {@code b} on the seeds both have. */
    public static Paired paired(ConfigGroup a, ConfigGroup b, String metric) {
        Map<Long, Double> bySeed = new TreeMap<>();
        b.trials().forEach(t -> bySeed.put(t.seed(), t.metric(metric)));
        List<double[]> pairs = new ArrayList<>();
        for (TrialRow t : a.trials()) {
            Double other = bySeed.get(t.seed());
            if (other != null && !other.isNaN() && !Double.isNaN(t.metric(metric))) {
                pairs.add(new double[]{t.metric(metric), other});
            }
        }
        int n = pairs.size();
        double[] x = pairs.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = pairs.stream().mapToDouble(p -> p[1]).toArray();
        double[] d = pairs.stream().mapToDouble(p -> p[0] - p[1]).toArray();
        DescriptiveStatistics ds = new DescriptiveStatistics(d);
        double meanDiff = n == 0 ? Double.NaN : ds.getMean();
        double sd = n < 2 ? Double.NaN : ds.getStandardDeviation();
        double tp = Double.NaN, wp = Double.NaN;
        if (n >= 2 && sd > 0) {
            tp = new TTest().pairedTTest(x, y);
        }
        if (n >= 2) {
            wp = SignedRankTest.twoSidedP(d);
        }
        return new Paired(n, meanDiff, tp, n < 2 ? Double.NaN : wp, sd > 0 ? meanDiff / sd : Double.NaN, sd);
    }
}
