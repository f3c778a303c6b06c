package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.config.LayerMapping;
import org.kdharness.models.Network;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Known answers and gradient checks of the hint loss, its projections and many-to-one pairs. */
class FeatureLossTest {

    static final float[][] HS = {{0.5f, -1.0f, 2.0f}, {1.5f, 0.0f, -0.5f}};
    static final float[][] T1 = {{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 0.0f}};
    static final float[][] T2 = {{0.2f, 0.4f, -0.6f, 1.0f}, {-1.0f, 0.5f, 0.3f, 0.0f}};

    /** A graph with a trainable "student layer" h and constant teacher layers 1 (width 3) and 2 (width 4). */
    static final class Fixture {
        final SameDiff sd = SameDiff.create();
        final SDVariable h = sd.var("h", Nd4j.create(HS));
        final Map<Integer, SDVariable> teacher = Map.of(1, sd.constant("t1", Nd4j.create(T1)), 2, sd.constant("t2", Nd4j.create(T2)));
        final Network net = new Network(sd, null, null, List.of(h), List.of(new long[]{3}), List.of(), List.of("h"), 6);

        FeatureLoss.Terms build(LayerMapping mapping, String distance) {
            FeatureLoss.Terms terms = FeatureLoss.build(sd, net, mapping, distance, false, teacher::get,
                    j -> j == 1 ? new long[]{3} : new long[]{4}, 11);
            sd.setLossVariables(sd.identity("loss", terms.loss1()));
            return terms;
        }

        double value() {
            return sd.output(Map.of(), "loss").get("loss").getDouble(0);
        }
    }

    static LayerMapping pair(List<Integer> teacher, double weight, String aggregate) {
        return new LayerMapping(List.of(new LayerMapping.Pair(1, teacher, weight, aggregate)));
    }

    @Test
    void mseWithoutProjectionIsMeanSquaredErrorAndItsGradient() {
        Fixture f = new Fixture();
        FeatureLoss.Terms terms = f.build(pair(List.of(1), 0.5, "mean"), "mse");
        assertEquals(List.of(), terms.projections(), "equal widths need no projection");
        double sq = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                sq += Math.pow(HS[i][j] - T1[i][j], 2);
            }
        }
        assertEquals(0.5 * sq / 6, f.value(), 1e-6);
        INDArray g = f.sd.calculateGradients(Map.of(), "h").get("h");
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(0.5 * 2 * (HS[i][j] - T1[i][j]) / 6, g.getDouble(i, j), 1e-6);
            }
        }
    }

    @Test
    void cosineDistanceKnownAnswer() {
        Fixture f = new Fixture();
        f.build(pair(List.of(1), 1.0, "mean"), "cosine");
        double d = 0;
        for (int i = 0; i < 2; i++) {
            double dot = 0, a = 0, b = 0;
            for (int j = 0; j < 3; j++) {
                dot += HS[i][j] * T1[i][j];
                a += HS[i][j] * HS[i][j];
                b += T1[i][j] * T1[i][j];
            }
            d += 1 - dot / (Math.sqrt(a + 1e-8) * Math.sqrt(b + 1e-8));
        }
        assertEquals(d / 2, f.value(), 1e-5);
    }

    @Test
    void projectedMseAndCosineGradientsMatchFiniteDifferences() {
        for (String distance : List.of("mse", "cosine")) {
            Fixture f = new Fixture();
            FeatureLoss.Terms terms = f.build(pair(List.of(2), 1.0, "mean"), distance);
            assertEquals(2, terms.projections().size(), "3 -> 4 needs W and b");
            String w = terms.projections().get(0);
            Map<String, INDArray> grads = f.sd.calculateGradients(Map.of(), "h", w);
            for (String var : List.of("h", w)) {
                INDArray param = f.sd.getVariable(var).getArr();
                for (int k = 0; k < param.length(); k++) {
                    double orig = param.getDouble(k);
                    double eps = 1e-2;
                    param.putScalar(k, orig + eps);
                    double up = f.value();
                    param.putScalar(k, orig - eps);
                    double down = f.value();
                    param.putScalar(k, orig);
                    double numeric = (up - down) / (2 * eps);
                    assertEquals(numeric, grads.get(var).getDouble(k), 2e-3 + 1e-2 * Math.abs(numeric),
                            distance + " d/d" + var + "[" + k + "]");
                }
            }
        }
    }

    @Test
    void manyToOneMeanAveragesPerTeacherDistances() {
        Fixture both = new Fixture();
        FeatureLoss.Terms terms = both.build(pair(List.of(1, 2), 1.0, "mean"), "mse");
        // teacher 1 has the student's width (identity), teacher 2 gets a projection
        assertEquals(2, terms.projections().size());
        INDArray w = both.sd.getVariable(terms.projections().get(0)).getArr();
        INDArray b = both.sd.getVariable(terms.projections().get(1)).getArr();
        INDArray proj = Nd4j.create(HS).mmul(w).addRowVector(b);
        double d1 = Nd4j.create(HS).castTo(DataType.DOUBLE).squaredDistance(Nd4j.create(T1).castTo(DataType.DOUBLE)) / 6;
        double d2 = proj.castTo(DataType.DOUBLE).squaredDistance(Nd4j.create(T2).castTo(DataType.DOUBLE)) / 8;
        assertEquals((d1 + d2) / 2, both.value(), 1e-5);

        Fixture concat = new Fixture();
        FeatureLoss.Terms c = concat.build(pair(List.of(1, 2), 1.0, "concat"), "mse");
        assertEquals(2, c.projections().size(), "one projection onto the 7 concatenated units");
        assertEquals(7, concat.sd.getVariable(c.projections().get(0)).getArr().size(1));
    }

    @Test
    void convMapsArePooledAndProjectedByOneByOneConvolution() {
        // student map 2x4x4 vs teacher map 3x2x2: pool the student 2x2, then a 1x1 conv 2 -> 3
        SameDiff sd = SameDiff.create();
        SDVariable hs = sd.var("hs", Nd4j.rand(DataType.FLOAT, 2, 2, 4, 4).subi(0.5));
        SDVariable t = sd.constant("t", Nd4j.rand(DataType.FLOAT, 2, 12));
        Network net = new Network(sd, null, null, List.of(hs), List.of(new long[]{2, 4, 4}), List.of(), List.of("hs"), 32);
        FeatureLoss.Terms terms = FeatureLoss.build(sd, net, pair(List.of(1), 1.0, "mean"), "mse", false,
                j -> t, j -> new long[]{3, 2, 2}, 5);
        sd.setLossVariables(sd.identity("loss", terms.loss1()));
        String w = terms.projections().get(0);
        assertEquals(List.of(1L, 1L, 2L, 3L), java.util.Arrays.stream(sd.getVariable(w).getArr().shape()).boxed().toList(),
                "1x1 conv weights [kH, kW, in, out]");
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "hs", w);
        for (String var : List.of("hs", w)) {
            INDArray param = sd.getVariable(var).getArr();
            for (int k = 0; k < param.length(); k += 3) {
                double orig = param.getDouble(k);
                param.putScalar(k, orig + 1e-2);
                double up = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                param.putScalar(k, orig - 1e-2);
                double down = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                param.putScalar(k, orig);
                assertEquals((up - down) / 2e-2, grads.get(var).getDouble(k), 2e-3, var + "[" + k + "]");
            }
        }
    }

    @Test
    void attentionTransferKnownAnswer() {
        // one example, student 1 channel 2x2, teacher 2 channels 2x2
        SameDiff sd = SameDiff.create();
        float[] s = {1, 2, 0, 1};
        float[] t = {1, 0, 0, 1, 0, 1, 1, 0};
        SDVariable hs = sd.var("hs", Nd4j.create(s, new long[]{1, 1, 2, 2}, DataType.FLOAT));
        SDVariable tp = sd.constant("t", Nd4j.create(t, new long[]{1, 8}, DataType.FLOAT));
        Network net = new Network(sd, null, null, List.of(hs), List.of(new long[]{1, 2, 2}), List.of(), List.of("hs"), 4);
        FeatureLoss.Terms terms = FeatureLoss.build(sd, net, pair(List.of(1), 1.0, "mean"), "attention", false,
                j -> tp, j -> new long[]{2, 2, 2}, 5);
        assertEquals(List.of(), terms.projections(), "attention needs no projection");
        sd.setLossVariables(sd.identity("loss", terms.loss1()));
        // a_s = (1, 4, 0, 1)/sqrt(18); a_t = (1, 1, 1, 1)/2
        double[] as = {1 / Math.sqrt(18), 4 / Math.sqrt(18), 0, 1 / Math.sqrt(18)};
        double expected = 0;
        for (double v : as) {
            expected += Math.pow(v - 0.5, 2);
        }
        assertEquals(expected, sd.output(Map.of(), "loss").get("loss").getDouble(0), 1e-5);
        INDArray g = sd.calculateGradients(Map.of(), "hs").get("hs");
        INDArray arr = hs.getArr();
        for (int k = 0; k < arr.length(); k++) {
            double orig = arr.getDouble(k);
            arr.putScalar(k, orig + 1e-2);
            double up = sd.output(Map.of(), "loss").get("loss").getDouble(0);
            arr.putScalar(k, orig - 1e-2);
            double down = sd.output(Map.of(), "loss").get("loss").getDouble(0);
            arr.putScalar(k, orig);
            assertEquals((up - down) / 2e-2, g.getDouble(k), 2e-3, "d/dhs[" + k + "]");
        }
    }

    @Test
    void impossiblePairsNameTheMapping() {
        Fixture f = new Fixture();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.build(pair(List.of(1), 1.0, "mean"), "attention"));
        assertEquals("mapping s1<-t1, pair s1<-t1: attention transfer needs conv feature maps on both sides", e.getMessage());
    }
}
