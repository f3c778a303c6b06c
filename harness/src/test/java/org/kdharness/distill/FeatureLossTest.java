package org.kdharness.distill;

import org.junit.jupiter.api.Test;
import org.kdharness.Methods;
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
            FeatureLoss.Terms terms = FeatureLoss.build(sd, net, mapping, Methods.distance(distance), teacher::get,
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
            GradientCheck.check(f.sd, "loss", "h", 1e-2, 2e-3, 1e-2, 1);
            GradientCheck.check(f.sd, "loss", w, 1e-2, 2e-3, 1e-2, 1);
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
        SDVariable hs = sd.var("hs", GradientCheck.uniform(101, 2, 2, 4, 4).subi(0.5));
        SDVariable t = sd.constant("t", GradientCheck.uniform(102, 2, 12));
        Network net = new Network(sd, null, null, List.of(hs), List.of(new long[]{2, 4, 4}), List.of(), List.of("hs"), 32);
        FeatureLoss.Terms terms = FeatureLoss.build(sd, net, pair(List.of(1), 1.0, "mean"), Methods.distance("mse"),
                j -> t, j -> new long[]{3, 2, 2}, 5);
        sd.setLossVariables(sd.identity("loss", terms.loss1()));
        String w = terms.projections().get(0);
        assertEquals(List.of(1L, 1L, 2L, 3L), java.util.Arrays.stream(sd.getVariable(w).getArr().shape()).boxed().toList(),
                "1x1 conv weights [kH, kW, in, out]");
        GradientCheck.check(sd, "loss", "hs", 1e-2, 2e-3, 0, 3);
        GradientCheck.check(sd, "loss", w, 1e-2, 2e-3, 0, 1);
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
        FeatureLoss.Terms terms = FeatureLoss.build(sd, net, pair(List.of(1), 1.0, "mean"), Methods.distance("attention"),
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
        GradientCheck.check(sd, "loss", "hs", 1e-2, 2e-3, 0, 1);
    }

    @Test
    void impossiblePairsNameTheMapping() {
        Fixture f = new Fixture();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.build(pair(List.of(1), 1.0, "mean"), "attention"));
        assertEquals("mapping s1<-t1, pair s1<-t1: attention needs conv feature maps on both sides", e.getMessage());
    }

    @Test
    void gradientsOfManyToOneConcatMapVectorAndTeacherPooling() {
        // many-to-one, mean and concat, against teacher layers 1 (width 3) and 2 (width 4)
        for (String aggregate : List.of("mean", "concat")) {
            Fixture f = new Fixture();
            FeatureLoss.Terms terms = f.build(pair(List.of(1, 2), 0.7, aggregate), "mse");
            GradientCheck.check(f.sd, "loss", "h", 1e-2, 2e-3, 1e-2, 1);
            GradientCheck.check(f.sd, "loss", terms.projections().get(0), 1e-2, 2e-3, 1e-2, 1);
        }
        // a 2x2x2 student map against a 5-wide teacher vector: flattened, linear projection
        SameDiff sd = SameDiff.create();
        SDVariable hs = sd.var("hs", GradientCheck.uniform(103, 2, 2, 2, 2).subi(0.5));
        SDVariable t = sd.constant("t", GradientCheck.uniform(104, 2, 5));
        Network net = new Network(sd, null, null, List.of(hs), List.of(new long[]{2, 2, 2}), List.of(), List.of("hs"), 16);
        FeatureLoss.Terms terms = FeatureLoss.build(sd, net, pair(List.of(1), 1.0, "mean"), Methods.distance("cosine"),
                j -> t, j -> new long[]{5}, 5);
        sd.setLossVariables(sd.identity("loss", terms.loss1()));
        GradientCheck.check(sd, "loss", "hs", 1e-2, 2e-3, 1e-2, 1);
        // a 1x2x2 student map against a larger 2x4x4 teacher map: the teacher side is pooled, then a 1x1 conv
        SameDiff sd2 = SameDiff.create();
        SDVariable hs2 = sd2.var("hs", GradientCheck.uniform(105, 2, 1, 2, 2).subi(0.5));
        SDVariable t2 = sd2.constant("t", GradientCheck.uniform(106, 2, 32));
        Network net2 = new Network(sd2, null, null, List.of(hs2), List.of(new long[]{1, 2, 2}), List.of(), List.of("hs"), 4);
        FeatureLoss.Terms terms2 = FeatureLoss.build(sd2, net2, pair(List.of(1), 1.0, "mean"), Methods.distance("mse"),
                j -> t2, j -> new long[]{2, 4, 4}, 5);
        sd2.setLossVariables(sd2.identity("loss", terms2.loss1()));
        GradientCheck.check(sd2, "loss", "hs", 1e-2, 2e-3, 1e-2, 1);
        GradientCheck.check(sd2, "loss", terms2.projections().get(0), 1e-2, 2e-3, 1e-2, 1);
    }
}
