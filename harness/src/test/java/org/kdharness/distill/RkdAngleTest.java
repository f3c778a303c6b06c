package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kdharness.distill.TermGradientTest.gaussian;
import static org.kdharness.distill.TermGradientTest.graphValue;
import static org.kdharness.distill.TermGradientTest.rows;

/**
 * RKD's angle term against RepDistiller's definition computed the plain way (explicit
 * difference vectors); its hand gradient and finite differences are checked with every
 * registered distance in {@link TermGradientTest}.
 */
class RkdAngleTest {

    private static double smoothL1(double x) {
        return Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5;
    }

    /** RepDistiller's RKD angle with explicit difference vectors: e_ab = normalize(x_b - x_a), A_abc = e_ab . e_ac. */
    static double angleReference(double[][] s, double[][] t) {
        int n = s.length;
        double sum = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < n; c++) {
                    sum += smoothL1(angle(s, a, b, c) - angle(t, a, b, c));
                }
            }
        }
        return sum / ((double) n * n * n);
    }

    private static double angle(double[][] x, int a, int b, int c) {
        double[] eb = unit(x[b], x[a]), ec = unit(x[c], x[a]);
        double dot = 0;
        for (int k = 0; k < eb.length; k++) {
            dot += eb[k] * ec[k];
        }
        return dot;
    }

    private static double[] unit(double[] to, double[] from) {
        double[] d = new double[to.length];
        double norm = 0;
        for (int k = 0; k < d.length; k++) {
            d[k] = to[k] - from[k];
            norm += d[k] * d[k];
        }
        norm = Math.max(Math.sqrt(norm), 1e-12);
        for (int k = 0; k < d.length; k++) {
            d[k] /= norm;
        }
        return d;
    }

    @Test
    void equalsExplicitDifferenceVectors() {
        for (long seed : new long[]{31, 33}) {
            INDArray s = gaussian(seed, 7, 4, 1.0), t = gaussian(seed + 1, 7, 6, 2.0);
            double expected = angleReference(rows(s), rows(t));
            assertEquals(expected, graphValue((sd, v) -> Methods.distance("rkd_angle").build(sd, v[0], v[1]), s, t), 1e-6);
            org.junit.jupiter.api.Assertions.assertTrue(expected > 1e-3, "a non-trivial case");
        }
        // a batch of one has no triplet with two distinct neighbours: every angle is 0
        INDArray one = gaussian(35, 1, 4, 1.0);
        assertEquals(0.0, graphValue((sd, v) -> Methods.distance("rkd_angle").build(sd, v[0], v[1]), one, gaussian(36, 1, 6, 1.0)), 1e-12);
    }
}
