package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Similarity-preserving and RKD-distance losses against plain-Java references, with gradient checks. */
class RelationLossTest {

    static final double[][] S = {{0.5, -1.0}, {1.5, 0.2}, {-0.3, 0.8}};
    static final double[][] T = {{1.0, 0.0, 2.0}, {0.0, 1.0, 1.0}, {2.0, 2.0, -1.0}};

    static double[][] gramRowNormalised(double[][] f) {
        int n = f.length;
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < f[0].length; k++) {
                    g[i][j] += f[i][k] * f[j][k];
                }
                norm += g[i][j] * g[i][j];
            }
            for (int j = 0; j < n; j++) {
                g[i][j] /= Math.sqrt(norm + 1e-8);
            }
        }
        return g;
    }

    static double[][] distancesOverMean(double[][] f) {
        int n = f.length;
        double[][] d = new double[n][n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double sq = 0;
                for (int k = 0; k < f[0].length; k++) {
                    sq += Math.pow(f[i][k] - f[j][k], 2);
                }
                d[i][j] = Math.sqrt(sq + 1e-8);
                sum += d[i][j];
            }
        }
        for (double[] row : d) {
            for (int j = 0; j < n; j++) {
                row[j] /= sum / (n * n);
            }
        }
        return d;
    }

    static double reference(String distance) {
        double[][] a = distance.equals("sp") ? gramRowNormalised(S) : distancesOverMean(S);
        double[][] b = distance.equals("sp") ? gramRowNormalised(T) : distancesOverMean(T);
        double sum = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double x = a[i][j] - b[i][j];
                sum += distance.equals("sp") ? x * x : (Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5);
            }
        }
        return sum / 9;
    }

    @Test
    void valuesMatchReferencesAndGradientsMatchFiniteDifferences() {
        for (String distance : List.of("sp", "rkd_distance")) {
            SameDiff sd = SameDiff.create();
            SDVariable s = sd.var("s", Nd4j.create(S).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
            SDVariable t = sd.constant("t", Nd4j.create(T).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
            SDVariable loss = sd.identity("loss", Methods.distance(distance).build(sd, s, t));
            sd.setLossVariables(loss);
            double value = sd.output(Map.of(), "loss").get("loss").getDouble(0);
            assertEquals(reference(distance), value, 1e-5, distance);
            assertEquals(true, value > 1e-3, "non-trivial case");
            GradientCheck.check(sd, "loss", "s", 1e-2, 2e-3, 2e-2, 1);
        }
    }

    @Test
    void attentionAndSimilarityGradientsHoldForABatchOfOne() {
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", Nd4j.create(new double[][]{{0.5, -1.0, 2.0}}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        SDVariable t = sd.constant("t", Nd4j.create(new double[][]{{1.0, 3.0}}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        // a one-row Gram matrix normalises to 1: loss 0 and gradient 0, not NaN
        sd.setLossVariables(sd.identity("loss", Methods.distance("sp").build(sd, s, t)));
        assertEquals(0.0, sd.output(Map.of(), "loss").get("loss").getDouble(0), 1e-6);
        INDArray g = sd.calculateGradients(Map.of(), "s").get("s");
        assertEquals(0.0, g.norm2Number().doubleValue(), 1e-4);
    }

    @Test
    void identicalStructureCostsNothingWhateverTheWidth() {
        // a student whose features are a rotation-and-scale of the teacher's has the same relations
        double[][] rotated = new double[3][2];
        double[][] base = {{1, 2}, {3, -1}, {0, 1}};
        for (int i = 0; i < 3; i++) {
            rotated[i][0] = 3 * (0.6 * base[i][0] - 0.8 * base[i][1]);
            rotated[i][1] = 3 * (0.8 * base[i][0] + 0.6 * base[i][1]);
        }
        for (String distance : List.of("sp", "rkd_distance")) {
            SameDiff sd = SameDiff.create();
            SDVariable s = sd.constant("s", Nd4j.create(rotated));
            SDVariable t = sd.constant("t", Nd4j.create(base));
            SDVariable loss = sd.identity("loss", Methods.distance(distance).build(sd, s, t));
            assertEquals(0.0, sd.output(Map.of(), "loss").get("loss").getDouble(0), 1e-6, distance);
        }
    }

    @Test
    void rkdDistanceOnConvMapsAtProbeSizeNeedsOnlyNSquaredMemory() {
        // 2,048 rows of flattened 32x7x7 student and 64x7x7 teacher maps: the [n, n, d] differences
        // would be 2048^2 x 3136 floats (52 GB); the Gram form needs a few n^2 matrices
        SameDiff sd = SameDiff.create();
        SDVariable s = sd.var("s", GradientCheck.uniform(7, 2048, 1568));
        SDVariable t = sd.constant("t", GradientCheck.uniform(8, 2048, 3136));
        SDVariable loss = sd.identity("loss", Methods.distance("rkd_distance").build(sd, s, t));
        sd.setLossVariables(loss);
        double value = sd.output(Map.of(), "loss").get("loss").getDouble(0);
        INDArray grad = sd.calculateGradients(Map.of(), "s").get("s");
        assertTrue(Double.isFinite(value) && value > 0, "value " + value);
        for (double v : new double[]{grad.maxNumber().doubleValue(), grad.minNumber().doubleValue(), grad.sumNumber().doubleValue()}) {
            assertTrue(Double.isFinite(v), "finite gradient: " + v);
        }
    }
}
