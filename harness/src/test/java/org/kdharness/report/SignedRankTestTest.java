package org.kdharness.report;

import org.junit.jupiter.api.Test;
import org.kdharness.data.TestPaths;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Wilcoxon signed-rank p-values against SciPy's (fixtures written by
 * {@code harness/scripts/wilcoxon-fixtures.py}: exact without ties, SciPy's exact permutation
 * test with ties and zeros, its normal approximation above 50 pairs), and p never above 1.
 */
class SignedRankTestTest {

    @Test
    void matchesSciPyWithTiesAndZeros() throws Exception {
        List<String> rows = Files.readAllLines(TestPaths.repo().resolve("harness/src/test/resources/wilcoxon-scipy.csv"))
                .stream().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertEquals(10, rows.size());
        for (String row : rows) {
            String[] parts = row.split(",");
            double[] d = Arrays.stream(parts[0].split(";")).mapToDouble(Double::parseDouble).toArray();
            double expected = Double.parseDouble(parts[1]);
            double nonZero = Arrays.stream(d).filter(v -> v != 0).count();
            assertEquals(expected, SignedRankTest.twoSidedP(d), nonZero > SignedRankTest.EXACT_UP_TO ? 1e-6 : 1e-12, row);
        }
    }

    @Test
    void knownSmallCases() {
        // three pairs all one way: 2 x 1/8 = 0.25, the smallest p three pairs can give (Commons Math returned 1.25
        // for a mixed case and 0.181 with a zero difference)
        assertEquals(0.25, SignedRankTest.twoSidedP(new double[]{0.01, 0.02, 0.03}), 1e-12);
        assertEquals(1.0, SignedRankTest.twoSidedP(new double[]{0.0, 0.01, -0.02}), 1e-12);
        assertTrue(Double.isNaN(SignedRankTest.twoSidedP(new double[]{0.0, 0.0})), "no non-zero difference: undefined");
        // equal count differences of accuracies (20 more right out of 2,000) tie although their doubles differ
        double a = 1600 / 2000.0 - 1580 / 2000.0, b = 1626 / 2000.0 - 1606 / 2000.0;
        assertTrue(a != b, "the float noise this guards against");
        assertEquals(0.75, SignedRankTest.twoSidedP(new double[]{a, -b, 0.02}), 1e-12, "a tie: p = 0.75 (0.5 without it)");
    }

    @Test
    void neverAboveOne() {
        Random r = new Random(3);
        for (int k = 0; k < 2000; k++) {
            double[] d = new double[2 + r.nextInt(8)];
            for (int i = 0; i < d.length; i++) {
                d[i] = (r.nextInt(7) - 3) / 100.0; // small integers: many ties and zeros
            }
            double p = SignedRankTest.twoSidedP(d);
            assertTrue(Double.isNaN(p) || (p > 0 && p <= 1), Arrays.toString(d) + " -> " + p);
        }
    }
}
