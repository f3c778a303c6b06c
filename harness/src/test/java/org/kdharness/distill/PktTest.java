package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.kdharness.distill.TermGradientTest.gaussian;
import static org.kdharness.distill.TermGradientTest.graphValue;
import static org.kdharness.distill.TermGradientTest.rows;

/**
 * Probabilistic knowledge transfer against RepDistiller's {@code PKT} computed the plain
 * way; its hand gradient and finite differences are checked with every registered distance
 * in {@link TermGradientTest}.
 */
class PktTest {

    /** RepDistiller's PKT: cosine similarities mapped to [0, 1], rows normalised, mean of P_t log((P_t + eps)/(P_s + eps)). */
    static double pktReference(double[][] s, double[][] t) {
        double[][] ps = conditional(s), pt = conditional(t);
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            for (int j = 0; j < s.length; j++) {
                sum += pt[i][j] * Math.log((pt[i][j] + 1e-7) / (ps[i][j] + 1e-7));
            }
        }
        return sum / ((double) s.length * s.length);
    }

    private static double[][] conditional(double[][] x) {
        int n = x.length;
        double[][] u = new double[n][];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (double v : x[i]) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            u[i] = new double[x[i].length];
            for (int k = 0; k < x[i].length; k++) {
                u[i][k] = x[i][k] / (norm + 1e-7);
            }
        }
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < u[i].length; k++) {
                    dot += u[i][k] * u[j][k];
                }
                p[i][j] = (dot + 1) / 2;
                row += p[i][j];
            }
            for (int j = 0; j < n; j++) {
                p[i][j] /= row;
            }
        }
        return p;
    }

    @Test
    void equalsRepDistillersDefinition() {
        for (long seed : new long[]{41, 43}) {
            INDArray s = gaussian(seed, 7, 4, 1.0), t = gaussian(seed + 1, 7, 6, 2.0);
            double expected = pktReference(rows(s), rows(t));
            assertEquals(expected, graphValue((sd, v) -> Methods.distance("pkt").build(sd, v[0], v[1]), s, t), 1e-6);
            org.junit.jupiter.api.Assertions.assertTrue(expected > 1e-4, "a non-trivial case");
        }
        // identical structures: the divergence is zero
        INDArray s = gaussian(45, 7, 4, 1.0);
        assertEquals(0.0, graphValue((sd, v) -> Methods.distance("pkt").build(sd, v[0], v[1]), s, s.mul(3.0)), 1e-7);
    }
}
