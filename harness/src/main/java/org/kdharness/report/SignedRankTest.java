package org.kdharness.report;

import java.util.Arrays;

/**
 * Two-sided Wilcoxon signed-rank test on paired differences, exact for any ties: zero
 * differences are dropped (Wilcoxon's convention, SciPy's default {@code zero_method='wilcox'}),
 * the remaining {@code |d|} get average ranks, and the p-value is
 * {@code min(1, 2 min(P(T+ <= t), P(T+ >= t)))} under the exact distribution of
 * {@code T+} over all {@code 2^m} sign assignments of those ranks; above
 * {@value #EXACT_UP_TO} non-zero pairs, the normal approximation with the tie correction.
 *
 * <p>Why our own: Commons Math's exact test assumes no zeros and no ties and returned 1.25
 * for three pairs; with a zero it switched to the normal approximation and gave 0.181, below
 * the smallest p three pairs can give (0.25). Seeds are few, so the exact distribution is
 * what a KD comparison needs. Checked against SciPy ({@code SignedRankTestTest}).
 */
final class SignedRankTest {

    static final int EXACT_UP_TO = 50;

    private SignedRankTest() {
    }

    /**
     * The p-value, or NaN when every difference is zero (no evidence either way). Differences
     * are first rounded to 1e-9: accuracies are counts over a split, so equal count differences
     * (0.851 - 0.841 and 0.862 - 0.852) must tie, not differ in their last float bits.
     */
    static double twoSidedP(double[] differences) {
        double[] d = Arrays.stream(differences).filter(v -> !Double.isNaN(v)).map(v -> Math.rint(v * 1e9) / 1e9)
                .filter(v -> v != 0).toArray();
        int m = d.length;
        if (m == 0) {
            return Double.NaN;
        }
        int[] twiceRanks = twiceAverageRanks(d);
        long observed = 0, total = 0;
        for (int i = 0; i < m; i++) {
            total += twiceRanks[i];
            if (d[i] > 0) {
                observed += twiceRanks[i];
            }
        }
        if (m > EXACT_UP_TO) {
            return normal(twiceRanks, observed / 2.0);
        }
        // counts[s]: sign assignments whose doubled T+ is s (doubles: 2^50 is exact in a double)
        double[] counts = new double[(int) total + 1];
        counts[0] = 1;
        int reach = 0;
        for (int r : twiceRanks) {
            for (int s = reach; s >= 0; s--) {
                if (counts[s] != 0) {
                    counts[s + r] += counts[s];
                }
            }
            reach += r;
        }
        double all = Math.pow(2, m), low = 0, high = 0;
        for (int s = 0; s <= total; s++) {
            if (s <= observed) {
                low += counts[s];
            }
            if (s >= observed) {
                high += counts[s];
            }
        }
        return Math.min(1.0, 2 * Math.min(low, high) / all);
    }

    /** Twice the average rank of each {@code |d_i|} (ties share the mean of their ranks). */
    static int[] twiceAverageRanks(double[] d) {
        int m = d.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(Math.abs(d[a]), Math.abs(d[b])));
        int[] out = new int[m];
        for (int i = 0; i < m; ) {
            int j = i;
            while (j + 1 < m && Math.abs(d[order[j + 1]]) == Math.abs(d[order[i]])) {
                j++;
            }
            // ranks i+1 .. j+1 share their mean (i + j + 2) / 2; doubled, an integer
            for (int k = i; k <= j; k++) {
                out[order[k]] = i + j + 2;
            }
            i = j + 1;
        }
        return out;
    }

    /** Normal approximation of {@code T+} with the tie correction, no continuity correction (as SciPy). */
    private static double normal(int[] twiceRanks, double tPlus) {
        int m = twiceRanks.length;
        double mean = m * (m + 1) / 4.0;
        double var = m * (m + 1) * (2.0 * m + 1) / 24.0;
        java.util.Map<Integer, Integer> ties = new java.util.HashMap<>();
        for (int r : twiceRanks) {
            ties.merge(r, 1, Integer::sum);
        }
        for (int t : ties.values()) {
            var -= (t * t * t - t) / 48.0;
        }
        double z = (tPlus - mean) / Math.sqrt(var);
        return Math.min(1.0, 2 * (1 - new org.apache.commons.math3.distribution.NormalDistribution().cumulativeProbability(Math.abs(z))));
    }
}
